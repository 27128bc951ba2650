package dev.kiln.api.temporal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.support.Http;
import dev.kiln.api.support.KilnApp;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/** The api starts and stays useful while Temporal is unreachable. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
class TemporalDownIT {

  private static final String REBUILD = "{\"repo\": \"https://example.com/app.git\"}";

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) throws IOException {
    KilnApp.register(registry, Files.createTempDirectory("kiln-home"));
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    registry.add("kiln.temporal.address", () -> "localhost:" + closedPort);
    registry.add("kiln.temporal.start-timeout", () -> "1s");
    registry.add("kiln.temporal.rpc-timeout", () -> "1s");
    registry.add("kiln.temporal.health-timeout", () -> "500ms");
  }

  @LocalServerPort int port;
  private Http http;

  @BeforeEach
  void client() {
    http = new Http(port);
  }

  @Test
  void healthShowsTemporalDown() {
    HttpResponse<String> health = http.get("/actuator/health");

    assertThat(health.statusCode()).isEqualTo(503);
    JsonNode components = Http.json(health).path("components");
    assertThat(components.path("db").path("status").asString()).isEqualTo("UP");
    assertThat(components.path("temporal").path("status").asString()).isEqualTo("DOWN");
    assertThat(components.path("temporal").path("details").path("error").asString())
        .startsWith("UNAVAILABLE");
  }

  @Test
  void aRebuildThatCannotStartIs503AndTheRunFailsSayingWhy() {
    HttpResponse<String> response = http.postJson("/rebuild", REBUILD);

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.headers().firstValue("Content-Type")).contains("application/problem+json");
    JsonNode problem = Http.json(response);
    long runId = problem.path("run_id").asLong();
    assertThat(problem.path("detail").asString())
        .startsWith("could not start run " + runId + ": Temporal at localhost:")
        // why in parentheses: UNAVAILABLE, or, when the client's retries ran out of time first,
        // what the SDK says then
        .contains("refused or is unreachable (");
    assertThat(response.body()).doesNotContain("Exception").doesNotContain("at io.grpc");

    JsonNode run = Http.json(http.get("/runs/" + runId));
    assertThat(run.path("result").asString()).isEqualTo("failed");
    assertThat(run.path("phase").asString()).isEqualTo("done");
    assertThat(run.path("failure_summary").asString()).startsWith("could not start: Temporal at");
    assertThat(run.path("finished_at").isNull()).isFalse();
  }

  @Test
  void aRetryWithTheSameIdempotencyKeyTriesAgainWithANewRun() {
    HttpResponse<String> first = http.postJson("/rebuild", REBUILD, "Idempotency-Key", "k-503");
    HttpResponse<String> retry = http.postJson("/rebuild", REBUILD, "Idempotency-Key", "k-503");

    assertThat(first.statusCode()).isEqualTo(503);
    assertThat(retry.statusCode()).isEqualTo(503);
    assertThat(Http.json(retry).path("run_id").asLong())
        .isGreaterThan(Http.json(first).path("run_id").asLong());
  }
}
