package dev.kiln.dev;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** TCP port helpers: a configured port of 0 means "any free one". */
final class Ports {

  private Ports() {}

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot find a free TCP port", e);
    }
  }

  static int orFree(int configured) {
    return configured == 0 ? freePort() : configured;
  }

  /**
   * Fails with a message that says what to do when {@code port} is taken, instead of letting a
   * child process fail with a line buried in its log.
   */
  static void requireFree(String host, int port, String what, String setting) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getByName(host), port), 1);
    } catch (BindException e) {
      throw new IllegalStateException(
          "Port "
              + port
              + " ("
              + what
              + ") on "
              + host
              + " is in use. Stop whatever listens there, or set "
              + setting
              + " to another port (0 picks a free one).");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot check port " + port + " on " + host, e);
    }
  }
}
