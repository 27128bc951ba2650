package dev.kiln.activities.fetch;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.PacketLineOut;
import org.eclipse.jgit.transport.RefAdvertiser;
import org.eclipse.jgit.transport.UploadPack;

/**
 * A git server speaking smart HTTP on a loopback address the test chooses: JGit's own {@link
 * UploadPack} behind the JDK's HTTP server. It can demand Basic credentials, or send every request
 * elsewhere with a redirect, and it records the requests it got.
 */
final class GitHttpServer implements AutoCloseable {

  /** What one request carried. */
  record Request(String method, String path, String authorization) {}

  private final HttpServer server;
  private final Repository repository;
  private final String basicCredentials;
  private final String redirectTo;
  final List<Request> requests = new CopyOnWriteArrayList<>();

  private GitHttpServer(
      InetAddress address, Repository repository, String user, String password, String redirectTo)
      throws IOException {
    this.repository = repository;
    this.basicCredentials =
        user == null
            ? null
            : "Basic "
                + Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    this.redirectTo = redirectTo;
    this.server = HttpServer.create(new InetSocketAddress(address, 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  /** Serves {@code repository} to anyone. */
  static GitHttpServer serving(InetAddress address, Repository repository) throws IOException {
    return new GitHttpServer(address, repository, null, null, null);
  }

  /** Serves {@code repository} to requests with these Basic credentials only. */
  static GitHttpServer servingWithCredentials(
      InetAddress address, Repository repository, String user, String password) throws IOException {
    return new GitHttpServer(address, repository, user, password, null);
  }

  /** Answers every request with a 302 to {@code base} + the request's path and query. */
  static GitHttpServer redirecting(InetAddress address, String base) throws IOException {
    return new GitHttpServer(address, null, null, null, base);
  }

  /** Like {@link #redirecting}, but only requests with these Basic credentials. */
  static GitHttpServer redirectingWithCredentials(
      InetAddress address, String user, String password, String base) throws IOException {
    return new GitHttpServer(address, null, user, password, base);
  }

  String url(String path) {
    InetSocketAddress bound = server.getAddress();
    String host = bound.getAddress().getHostAddress();
    host = host.contains(":") ? "[" + host + "]" : host;
    return "http://" + host + ":" + bound.getPort() + path;
  }

  private void handle(HttpExchange exchange) throws IOException {
    String query = exchange.getRequestURI().getRawQuery();
    String path = exchange.getRequestURI().getRawPath();
    requests.add(
        new Request(
            exchange.getRequestMethod(),
            path,
            exchange.getRequestHeaders().getFirst("Authorization")));
    try (exchange) {
      if (basicCredentials != null
          && !basicCredentials.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
        exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"git\"");
        exchange.sendResponseHeaders(401, -1);
        return;
      }
      if (redirectTo != null) {
        exchange
            .getResponseHeaders()
            .add("Location", redirectTo + path + (query == null ? "" : "?" + query));
        exchange.sendResponseHeaders(302, -1);
        return;
      }
      if (path.endsWith("/info/refs")) {
        advertise(exchange);
      } else if (path.endsWith("/git-upload-pack")) {
        uploadPack(exchange);
      } else {
        exchange.sendResponseHeaders(404, -1);
      }
    }
  }

  private void advertise(HttpExchange exchange) throws IOException {
    exchange
        .getResponseHeaders()
        .add("Content-Type", "application/x-git-upload-pack-advertisement");
    exchange.sendResponseHeaders(200, 0);
    OutputStream out = exchange.getResponseBody();
    PacketLineOut packets = new PacketLineOut(out);
    packets.writeString("# service=git-upload-pack\n");
    packets.end();
    UploadPack upload = new UploadPack(repository);
    upload.setBiDirectionalPipe(false);
    upload.sendAdvertisedRefs(new RefAdvertiser.PacketLineOutRefAdvertiser(packets));
    out.flush();
  }

  private void uploadPack(HttpExchange exchange) throws IOException {
    InputStream in = exchange.getRequestBody();
    if ("gzip".equals(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
      in = new GZIPInputStream(in);
    }
    exchange.getResponseHeaders().add("Content-Type", "application/x-git-upload-pack-result");
    exchange.sendResponseHeaders(200, 0);
    UploadPack upload = new UploadPack(repository);
    upload.setBiDirectionalPipe(false);
    upload.upload(in, exchange.getResponseBody(), null);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
