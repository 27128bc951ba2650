package dev.kiln.activities.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.kiln.activities.logs.ChunksRefusedException;
import dev.kiln.workflows.LogChunk;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against a real HTTP server on loopback: what counts is what goes over the wire. */
class ApiChunkTransportTest {

  HttpServer server;
  volatile String path;
  volatile String received;
  volatile int status = 204;
  ApiChunkTransport transport;

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/internal/",
        exchange -> {
          path = exchange.getRequestURI().getPath();
          received = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(status, -1);
          exchange.close();
        });
    server.start();
    URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    transport = new ApiChunkTransport(new KilnApiClient(base, "s3cret"));
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
  }

  @Test
  void sendsTheChunksWithTheirTimeAsRfc3339TextAndTheirBytesAsBase64() {
    Instant ts = Instant.parse("2026-12-02T12:00:01.120Z");

    transport.send(
        9, List.of(new LogChunk(4L, "compile", 10L, ts, "hi\n".getBytes(StandardCharsets.UTF_8))));

    assertThat(path).isEqualTo("/internal/runs/9/logs");
    assertThat(received)
        .isEqualTo(
            "{\"chunks\":[{\"seq\":4,\"step\":\"compile\",\"offset\":10,"
                + "\"ts\":\"2026-12-02T12:00:01.120Z\",\"data\":\"aGkK\"}]}");
  }

  @Test
  void aChunkBatchTheApiRefusesWithA4xxIsRefusedForGood() {
    status = 400;

    assertThatThrownBy(() -> transport.send(9, List.of(chunk())))
        .isInstanceOf(ChunksRefusedException.class)
        .hasCauseInstanceOf(ApiRejectedException.class);
  }

  @Test
  void aChunkBatchTheApiFailsWithA5xxIsLeftToRetry() {
    status = 503;

    assertThatThrownBy(() -> transport.send(9, List.of(chunk())))
        .isInstanceOfSatisfying(
            ApiRejectedException.class, e -> assertThat(e.isRetryable()).isTrue());
  }

  private static LogChunk chunk() {
    return new LogChunk(1L, "compile", 0L, Instant.now(), new byte[] {1});
  }
}
