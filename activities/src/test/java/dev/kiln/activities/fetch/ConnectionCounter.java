package dev.kiln.activities.fetch;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A listener on a loopback address that only counts the connections it accepts: where a refused
 * fetch would have gone, so a test can prove nothing went there.
 */
final class ConnectionCounter implements AutoCloseable {

  private final ServerSocket socket;
  private final AtomicInteger accepted = new AtomicInteger();
  private final Thread acceptor;

  ConnectionCounter(InetAddress address) throws IOException {
    this(address, 0);
  }

  ConnectionCounter(InetAddress address, int port) throws IOException {
    socket = new ServerSocket();
    socket.bind(new InetSocketAddress(address, port));
    acceptor = new Thread(this::accept, "connection-counter-" + socket.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private void accept() {
    while (!socket.isClosed()) {
      try (Socket ignored = socket.accept()) {
        accepted.incrementAndGet();
      } catch (IOException e) {
        return;
      }
    }
  }

  int port() {
    return socket.getLocalPort();
  }

  int connections() {
    return accepted.get();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
