package dev.kiln.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;

/**
 * An HTTP server on loopback that records every request it gets and answers each path with the
 * status its script gives for the request's number on that path (1, 2, …).
 */
final class LoopbackReceiver implements AutoCloseable {

  /** A request as it arrived: the raw body, and the headers Kiln's notifications carry. */
  record Received(String path, Map<String, String> headers, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private final HttpServer server;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final Map<String, IntUnaryOperator> scripts = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

  LoopbackReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  /** Answers requests to paths starting with {@code prefix}: request number → status. */
  LoopbackReceiver answer(String prefix, IntUnaryOperator statusOfRequest) {
    scripts.put(prefix, statusOfRequest);
    return this;
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  /** What arrived on paths starting with {@code prefix}, in order. */
  List<Received> at(String prefix) {
    return received.stream().filter(r -> r.path().startsWith(prefix)).toList();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body = exchange.getRequestBody().readAllBytes();
      String path = exchange.getRequestURI().getRawPath();
      Map<String, String> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, values.get(0)));
      received.add(new Received(path, headers, body));
      String prefix =
          scripts.keySet().stream()
              .filter(path::startsWith)
              .max(java.util.Comparator.comparingInt(String::length))
              .orElse(null);
      int status = 404;
      if (prefix != null) {
        int number = counts.computeIfAbsent(prefix, p -> new AtomicInteger()).incrementAndGet();
        status = scripts.get(prefix).applyAsInt(number);
      }
      byte[] answer = ("{\"answered\": " + status + "}").getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, answer.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(answer);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
