package dev.kiln.activities.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.kiln.workflows.internal.AttemptFencing;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The api's /internal endpoints on loopback, recording what workers send: real HTTP rather than a
 * mocked client, so the wire format is what is tested.
 */
final class FakeApi implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  final ConcurrentSkipListMap<Long, JsonNode> chunks = new ConcurrentSkipListMap<>();
  final Map<String, byte[]> artifacts = new ConcurrentHashMap<>();
  final Map<String, String> artifactShas = new ConcurrentHashMap<>();

  /** The repository's secrets, name to value, as {@code POST .../secrets} answers them. */
  final Map<String, String> secrets = new ConcurrentHashMap<>();

  /** Other bodies, by the last part of their path ({@code sandbox}, {@code usage}), in order. */
  final Map<String, java.util.List<JsonNode>> reports = new ConcurrentHashMap<>();

  /**
   * The run's current attempt, as the api keeps it: a write with a lower {@code X-Kiln-Attempt} is
   * refused as stale, as the api does.
   */
  final AtomicInteger currentAttempt = new AtomicInteger(1);

  /** Writes refused as stale. */
  final AtomicInteger staleWrites = new AtomicInteger();

  /** While set, log uploads wait for it: the api is slow to take them. */
  volatile java.util.concurrent.CountDownLatch logsHeld;

  /** While set, usage reports wait for it: the api is slow to take them. */
  volatile java.util.concurrent.CountDownLatch usageHeld;

  /** Sandbox reports still to be answered 503, as an api restarting would. */
  final AtomicInteger sandboxReportsToFail = new AtomicInteger();

  /** Every request's path, in the order they arrived. */
  final java.util.List<String> paths = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** Gate reports still to be answered 503. */
  final AtomicInteger gateReportsToFail = new AtomicInteger();

  /** Requests that arrived after the first stale write was refused. */
  final AtomicInteger requestsAfterStale = new AtomicInteger();

  private final HttpServer server;

  FakeApi() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/internal/",
        exchange -> {
          String path = exchange.getRequestURI().getPath();
          paths.add(path);
          byte[] body = exchange.getRequestBody().readAllBytes();
          if (path.endsWith("/logs")) {
            awaitRelease(logsHeld);
          } else if (path.endsWith("/usage")) {
            awaitRelease(usageHeld);
          }
          boolean failing =
              path.endsWith("/sandbox") && sandboxReportsToFail.getAndDecrement() > 0
                  || path.contains("/gates/") && gateReportsToFail.getAndDecrement() > 0;
          if (failing) {
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
            return;
          }
          if (staleWrites.get() > 0) {
            requestsAfterStale.incrementAndGet();
          }
          String attempt = exchange.getRequestHeaders().getFirst(AttemptFencing.ATTEMPT_HEADER);
          if (attempt != null && Integer.parseInt(attempt) < currentAttempt.get()) {
            staleWrites.incrementAndGet();
            byte[] answer =
                JSON.writeValueAsBytes(
                    Map.of(
                        "type",
                        AttemptFencing.STALE_ATTEMPT_TYPE,
                        "status",
                        409,
                        "detail",
                        AttemptFencing.staleDetail(
                            5, Integer.parseInt(attempt), currentAttempt.get())));
            exchange.getResponseHeaders().set("Content-Type", "application/problem+json");
            exchange.sendResponseHeaders(409, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
            return;
          }
          if (path.endsWith("/logs")) {
            for (JsonNode chunk : JSON.readTree(body).path("chunks")) {
              chunks.putIfAbsent(chunk.path("seq").asLong(), chunk);
            }
          } else if (path.endsWith("/artifacts")) {
            String query = exchange.getRequestURI().getRawQuery();
            String name =
                URLDecoder.decode(query.substring("path=".length()), StandardCharsets.UTF_8);
            artifacts.put(name, body);
            artifactShas.put(name, exchange.getRequestHeaders().getFirst("X-Kiln-Sha256"));
          } else if (path.endsWith("/secrets")) {
            Map<String, String> values = new java.util.HashMap<>();
            java.util.List<String> missing = new java.util.ArrayList<>();
            for (JsonNode name : JSON.readTree(body).path("names")) {
              String value = secrets.get(name.asText());
              if (value == null) {
                missing.add(name.asText());
              } else {
                values.put(name.asText(), value);
              }
            }
            byte[] answer = JSON.writeValueAsBytes(Map.of("values", values, "missing", missing));
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
            return;
          } else {
            reports
                .computeIfAbsent(
                    path.substring(path.lastIndexOf('/') + 1),
                    k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                .add(JSON.readTree(body));
          }
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    // a held log upload must not hold the step's other requests
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.start();
  }

  /** Holds a request while {@code held} is set and not yet released. */
  private static void awaitRelease(java.util.concurrent.CountDownLatch held) {
    if (held == null) {
      return;
    }
    try {
      held.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** The log as stored: chunks in seq order, optionally of one step. */
  String log(String step) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    chunks.values().stream()
        .filter(c -> step == null || step.equals(c.path("step").asText()))
        .forEach(c -> out.writeBytes(Base64.getDecoder().decode(c.path("data").asText())));
    return out.toString(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
