package dev.kiln.activities.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.kiln.activities.RunAttempt;
import dev.kiln.activities.logs.ChunksRefusedException;
import dev.kiln.workflows.LogChunk;
import dev.kiln.workflows.internal.AttemptFencing;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against a real HTTP server on loopback: what counts is what goes over the wire. */
class ApiChunkTransportTest {

  HttpServer server;
  volatile String path;
  volatile String received;
  volatile int status = 204;
  volatile String answer = "";
  volatile String attemptHeader;
  final AtomicInteger requests = new AtomicInteger();
  ApiChunkTransport transport;

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/internal/",
        exchange -> {
          requests.incrementAndGet();
          path = exchange.getRequestURI().getPath();
          attemptHeader = exchange.getRequestHeaders().getFirst(AttemptFencing.ATTEMPT_HEADER);
          received = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          byte[] body = answer.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/problem+json");
          exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
          exchange.getResponseBody().write(body);
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
        new RunAttempt(9, 2),
        List.of(new LogChunk(4L, "compile", 10L, ts, "hi\n".getBytes(StandardCharsets.UTF_8))));

    assertThat(path).isEqualTo("/internal/runs/9/logs");
    assertThat(attemptHeader).isEqualTo("2");
    assertThat(received)
        .isEqualTo(
            "{\"chunks\":[{\"seq\":4,\"step\":\"compile\",\"offset\":10,"
                + "\"ts\":\"2026-12-02T12:00:01.120Z\",\"data\":\"aGkK\"}]}");
  }

  @Test
  void saysWhetherTheApiAnsweredThatAnyoneFollowsTheRunsLog() {
    status = 200;
    answer = "{\"followed\":false}";
    assertThat(transport.send(new RunAttempt(9, 1), List.of(chunk()))).isFalse();

    answer = "{\"followed\":true}";
    assertThat(transport.send(new RunAttempt(9, 1), List.of(chunk()))).isTrue();
  }

  @Test
  void anApiThatAnswersWithoutABodyCountsAsFollowedSoNoLineWaits() {
    status = 204;

    assertThat(transport.send(new RunAttempt(9, 1), List.of(chunk()))).isTrue();
  }

  @Test
  void aChunkBatchTheApiRefusesWithA4xxIsRefusedForGood() {
    status = 400;

    assertThatThrownBy(() -> transport.send(new RunAttempt(9, 1), List.of(chunk())))
        .isInstanceOf(ChunksRefusedException.class)
        .hasCauseInstanceOf(ApiRejectedException.class);
  }

  @Test
  void aStaleAttemptAnswerSupersedesTheAttemptAndNothingMoreIsSentForIt() {
    status = 409;
    answer =
        "{\"type\":\""
            + AttemptFencing.STALE_ATTEMPT_TYPE
            + "\",\"status\":409,\"detail\":\"stale attempt 1 of run 9: attempt 2 is current\"}";
    RunAttempt attempt = new RunAttempt(9, 1);
    AtomicInteger killed = new AtomicInteger();
    attempt.onSuperseded(killed::incrementAndGet);

    assertThatThrownBy(() -> transport.send(attempt, List.of(chunk())))
        .isInstanceOf(ChunksRefusedException.class)
        .hasCauseInstanceOf(StaleAttemptException.class);
    assertThat(attempt.isSuperseded()).isTrue();
    assertThat(attempt.supersededBecause().orElseThrow())
        .contains("stale attempt 1 of run 9: attempt 2 is current");
    assertThat(killed).hasValue(1);

    assertThatThrownBy(() -> transport.send(attempt, List.of(chunk())))
        .isInstanceOf(ChunksRefusedException.class);
    assertThat(requests).as("the second batch never left the host").hasValue(1);
  }

  @Test
  void anotherConflictIsARefusalButDoesNotSupersedeTheAttempt() {
    status = 409;
    answer = "{\"status\":409,\"detail\":\"run 9 has ended\"}";
    RunAttempt attempt = new RunAttempt(9, 1);

    assertThatThrownBy(() -> transport.send(attempt, List.of(chunk())))
        .isInstanceOf(ChunksRefusedException.class);
    assertThat(attempt.isSuperseded()).isFalse();
  }

  @Test
  void anAttemptOfAnActivityScheduledBeforeFencingSendsNoAttemptHeader() {
    transport.send(new RunAttempt(9, 0), List.of(chunk()));

    assertThat(attemptHeader).isNull();
  }

  @Test
  void aChunkBatchTheApiFailsWithA5xxIsLeftToRetry() {
    status = 503;

    assertThatThrownBy(() -> transport.send(new RunAttempt(9, 1), List.of(chunk())))
        .isInstanceOfSatisfying(
            ApiRejectedException.class, e -> assertThat(e.isRetryable()).isTrue());
  }

  private static LogChunk chunk() {
    return new LogChunk(1L, "compile", 0L, Instant.now(), new byte[] {1});
  }
}
