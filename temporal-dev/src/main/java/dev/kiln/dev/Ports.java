package dev.kiln.dev;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/** TCP port helpers: a configured port of 0 means "any free one". */
public final class Ports {

  private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

  /** Linux's default ephemeral range, for a machine whose range cannot be read. */
  private static final int[] DEFAULT_EPHEMERAL = {32768, 60999};

  private static final int LOWEST = 10000;
  private static final int ATTEMPTS = 200;
  private static final int MIN_CANDIDATES = 1000;

  /** Ports this JVM has handed out, so two callers never get the same one. */
  private static final Set<Integer> handedOut = ConcurrentHashMap.newKeySet();

  private Ports() {}

  /**
   * A loopback port free now and, where the machine leaves room for it, outside the kernel's
   * ephemeral range. The caller's child process binds it later; a port the kernel picks for {@code
   * bind(0)} is one it may give in the meantime to any outgoing connection or to another process's
   * {@code bind(0)}, and the child then fails with "address already in use" (it did, once in CI, to
   * the Temporal Web UI). On a machine whose ephemeral range leaves fewer than 1000 ports outside
   * it (say {@code 1024 65535}) the kernel picks one after all, as before.
   */
  public static int freePort() {
    Optional<int[]> range = candidates(ephemeralRange());
    if (range.isEmpty()) {
      return kernelPicked();
    }
    int from = range.get()[0];
    int to = range.get()[1];
    for (int i = 0; i < ATTEMPTS; i++) {
      int port = ThreadLocalRandom.current().nextInt(from, to + 1);
      if (!handedOut.contains(port) && bindable(port) && handedOut.add(port)) {
        return port;
      }
    }
    return kernelPicked();
  }

  /**
   * The ports to pick from, given the ephemeral range {@code [low, high]}: those from 10000 up to
   * below it, else those above it; empty when neither holds 1000.
   */
  static Optional<int[]> candidates(int[] ephemeral) {
    if (ephemeral[0] - LOWEST >= MIN_CANDIDATES) {
      return Optional.of(new int[] {LOWEST, ephemeral[0] - 1});
    }
    if (65535 - ephemeral[1] >= MIN_CANDIDATES) {
      return Optional.of(new int[] {Math.max(LOWEST, ephemeral[1] + 1), 65535});
    }
    return Optional.empty();
  }

  /**
   * Read by lines: on JDK 17 here {@code Files.readString} returned only the first byte of this
   * sysctl file, whose size procfs reports as 0.
   */
  static int[] ephemeralRange() {
    try {
      String[] bounds = Files.readAllLines(EPHEMERAL_RANGE).get(0).trim().split("\\s+");
      return new int[] {Integer.parseInt(bounds[0]), Integer.parseInt(bounds[1])};
    } catch (IOException | RuntimeException e) {
      return DEFAULT_EPHEMERAL;
    }
  }

  private static boolean bindable(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int kernelPicked() {
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
