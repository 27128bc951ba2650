package dev.kiln.api.support;

import static dev.kiln.api.support.Runs.newRun;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.runs.RunRepository;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.Base64;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The whole api on a random port over a fresh embedded PostgreSQL, driven as a worker and a client
 * would: over HTTP. Subclasses share one application context (and database), so each test makes
 * runs of its own. The log cap is 1 MiB and the heartbeat 300 ms, so tests reach both quickly.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
public abstract class RunningApi {

  public static final String AUTH = "Bearer " + TestProperties.TOKEN;
  public static final int LOG_CAP = 1 << 20;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) throws IOException {
    KilnApp.register(registry, Files.createTempDirectory("kiln-home"));
    // nothing here talks to Temporal
    registry.add("kiln.temporal.address", () -> "localhost:1");
    registry.add("kiln.logs.max-bytes-per-run", () -> Integer.toString(LOG_CAP));
    registry.add("kiln.logs.heartbeat", () -> "300ms");
  }

  @LocalServerPort protected int port;
  @Autowired protected RunRepository runs;
  protected Http http;

  @BeforeEach
  void client() {
    http = new Http(port);
  }

  protected long queuedRun(String repo) {
    return runs.insert(newRun(repo, "main", "x86_64")).orElseThrow();
  }

  /** {@code POST /internal/...} with the worker token; asserts the 2xx. */
  protected HttpResponse<String> worker(String path, String json) {
    HttpResponse<String> response = http.postJson(path, json, "Authorization", AUTH);
    assertThat(response.statusCode()).as(path + " " + response.body()).isBetween(200, 299);
    return response;
  }

  protected void phase(long runId, String phase) {
    worker("/internal/runs/" + runId + "/phase", "{\"phase\": \"" + phase + "\"}");
  }

  protected void finish(long runId, String result, String failureSummary) {
    worker(
        "/internal/runs/" + runId + "/finish",
        "{\"result\": \"%s\", \"failure_summary\": %s}"
            .formatted(result, failureSummary == null ? "null" : "\"" + failureSummary + "\""));
  }

  /** Posts one batch of chunks, as the worker's log uploader does; the api's answer. */
  protected HttpResponse<String> logs(long runId, Chunk... chunks) {
    StringBuilder json = new StringBuilder("{\"chunks\": [");
    for (int i = 0; i < chunks.length; i++) {
      Chunk c = chunks[i];
      json.append(i == 0 ? "" : ",")
          .append("{\"seq\":")
          .append(c.seq())
          .append(",\"step\":\"")
          .append(c.step())
          .append("\",\"offset\":0,\"ts\":\"2026-01-01T00:00:00Z\",\"data\":\"")
          .append(Base64.getEncoder().encodeToString(c.data()))
          .append("\"}");
    }
    return worker("/internal/runs/" + runId + "/logs", json.append("]}").toString());
  }

  public record Chunk(long seq, String step, byte[] data) {

    public static Chunk of(long seq, String step, String text) {
      return new Chunk(seq, step, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
  }
}
