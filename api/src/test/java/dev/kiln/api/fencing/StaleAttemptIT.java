package dev.kiln.api.fencing;

import static dev.kiln.api.support.Runs.newRun;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.runs.RunRepository;
import dev.kiln.api.support.Http;
import dev.kiln.api.support.KilnApp;
import dev.kiln.api.support.TestProperties;
import dev.kiln.workflows.internal.AttemptFencing;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Fencing of stale build attempts over real HTTP on a real PostgreSQL: once a run's attempt 2 has
 * begun, every kind of write a build host makes for attempt 1 is refused with 409 problem+json,
 * counted and logged, and stored nowhere; attempt 2's writes, and writes that carry no attempt, go
 * on as before.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@ExtendWith(OutputCaptureExtension.class)
class StaleAttemptIT {

  private static final String AUTH = "Bearer " + TestProperties.TOKEN;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) throws IOException {
    KilnApp.register(registry, Files.createTempDirectory("kiln-home"));
    // nothing here talks to Temporal
    registry.add("kiln.temporal.address", () -> "localhost:1");
  }

  @LocalServerPort int port;
  @Autowired RunRepository runs;
  @Autowired AttemptFence fence;
  @Autowired MeterRegistry registry;
  private Http http;

  @BeforeEach
  void client() {
    http = new Http(port);
  }

  @Test
  void everyWriteOfAnAttemptTheRunLeftBehindIsRefusedCountedAndStoredNowhere(CapturedOutput output)
      throws Exception {
    long id = buildingRun();
    assertThat(logs(id, 1, chunk(10, "first attempt, line 1")).statusCode()).isEqualTo(200);

    HttpResponse<String> began = post(id, "/attempt", "{\"attempt\": 2}", null);
    assertThat(began.statusCode()).as(began.body()).isEqualTo(200);
    assertThat(Http.json(began).path("current").asInt()).isEqualTo(2);

    Map<String, HttpResponse<String>> stale = new LinkedHashMap<>();
    double before = staleWrites("logs");
    stale.put("logs", logs(id, 1, chunk(11, "first attempt, line 2")));
    stale.put("phase", post(id, "/phase", "{\"phase\": \"fetching\"}", 1));
    stale.put("gate", post(id, "/gates/unit", "{\"status\": \"running\"}", 1));
    stale.put("sandbox", post(id, "/sandbox", "{\"sandbox\": \"none\"}", 1));
    stale.put(
        "usage",
        post(id, "/usage", "{\"step\": \"compile\", \"command\": 0, \"cpu_millis\": 5}", 1));
    stale.put(
        "tests",
        post(
            id,
            "/gates/unit/tests",
            "{\"first\": 0, \"total\": 1, \"tests\": [{\"name\": \"t\", \"status\": \"failed\"}]}",
            1));
    stale.put("secrets", post(id, "/secrets", "{\"names\": [\"DEPLOY_TOKEN\"]}", 1));
    stale.put("artifacts", artifact(id, "app.jar", "stale bytes", 1));

    for (Map.Entry<String, HttpResponse<String>> refused : stale.entrySet()) {
      HttpResponse<String> answer = refused.getValue();
      assertThat(answer.statusCode()).as(refused.getKey() + ": " + answer.body()).isEqualTo(409);
      assertThat(answer.headers().firstValue("Content-Type"))
          .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
      JsonNode problem = Http.json(answer);
      assertThat(problem.path("type").asString()).isEqualTo(AttemptFencing.STALE_ATTEMPT_TYPE);
      assertThat(problem.path("detail").asString())
          .isEqualTo("stale attempt 1 of run " + id + ": attempt 2 is current");
      assertThat(problem.path("current_attempt").asInt()).isEqualTo(2);
    }
    assertThat(staleWrites("logs") - before).isEqualTo(1.0);
    assertThat(staleWrites("artifacts")).isGreaterThanOrEqualTo(1.0);
    // logged at WARN, saying what was refused and never what it carried
    assertThat(output)
        .contains(
            "POST /internal/runs/"
                + id
                + "/logs -> 409 stale attempt 1 of run "
                + id
                + ": attempt 2 is current")
        .doesNotContain("first attempt, line 2", "stale bytes");

    JsonNode view = Http.json(http.get("/runs/" + id));
    assertThat(view.path("phase").asString()).isEqualTo("compiling");
    assertThat(view.path("sandbox").isMissingNode() || view.path("sandbox").isNull()).isTrue();
    assertThat(view.path("steps").isEmpty()).as(view.toString()).isTrue();
    assertThat(http.get("/runs/" + id + "/artifacts").body()).doesNotContain("app.jar");
    assertThat(http.get("/runs/" + id + "/logs").body()).isEqualTo("first attempt, line 1\n");

    // the current attempt writes on, and so does a worker that sends no attempt
    assertThat(logs(id, 2, chunk(20, "second attempt")).statusCode()).isEqualTo(200);
    assertThat(logs(id, null, chunk(21, "no attempt said")).statusCode()).isEqualTo(200);
    assertThat(artifact(id, "app.jar", "good bytes", 2).statusCode()).isEqualTo(201);
    assertThat(http.get("/runs/" + id + "/logs").body())
        .isEqualTo("first attempt, line 1\nsecond attempt\nno attempt said\n");
  }

  @Test
  void theFirstWriteOfAHigherAttemptMakesItCurrentAndTheAttemptNeverGoesBack() {
    long id = buildingRun();

    assertThat(logs(id, 3, chunk(1, "attempt 3")).statusCode()).isEqualTo(200);
    assertThat(logs(id, 2, chunk(2, "attempt 2")).statusCode()).isEqualTo(409);
    HttpResponse<String> late = post(id, "/attempt", "{\"attempt\": 2}", null);

    assertThat(late.statusCode()).isEqualTo(200);
    assertThat(Http.json(late).path("current").asInt()).isEqualTo(3);
    assertThat(logs(id, 3, chunk(3, "attempt 3 again")).statusCode()).isEqualTo(200);
  }

  @Test
  void anAttemptThatIsNotAPositiveNumberIsABadRequest() {
    long id = buildingRun();

    for (String attempt : new String[] {"0", "-1", "two"}) {
      HttpResponse<String> answer =
          http.postJson(
              "/internal/runs/" + id + "/logs",
              "{\"chunks\": [" + chunk(1, "x") + "]}",
              "Authorization",
              AUTH,
              AttemptFencing.ATTEMPT_HEADER,
              attempt);
      assertThat(answer.statusCode()).as(attempt + ": " + answer.body()).isEqualTo(400);
      assertThat(Http.json(answer).path("detail").asString())
          .contains(AttemptFencing.ATTEMPT_HEADER);
    }
    assertThat(post(id, "/attempt", "{\"attempt\": 0}", null).statusCode()).isEqualTo(400);
    assertThat(post(987_654, "/attempt", "{\"attempt\": 2}", null).statusCode()).isEqualTo(404);
  }

  /**
   * The guarantee the fence is for: a write of attempt 1 being stored while attempt 2 begins either
   * commits first, or waits and is refused; the new attempt's start waits for it.
   */
  @Test
  void anAttemptBeginsOnlyOnceTheWritesOfTheOneBeforeThatWereBeingStoredHaveCommitted()
      throws Exception {
    long id = buildingRun();
    CountDownLatch admitted = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Void> write =
        CompletableFuture.runAsync(
            () ->
                fence.guarded(
                    id,
                    1,
                    "logs",
                    () -> {
                      admitted.countDown();
                      await(release);
                      return null;
                    }));
    assertThat(admitted.await(10, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<Integer> begin = CompletableFuture.supplyAsync(() -> fence.begin(id, 2));

    Awaitility.await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(2))
        .until(() -> !begin.isDone());
    release.countDown();
    write.get(10, TimeUnit.SECONDS);
    assertThat(begin.get(10, TimeUnit.SECONDS)).isEqualTo(2);
    assertThat(logs(id, 1, chunk(1, "too late")).statusCode()).isEqualTo(409);
  }

  private long buildingRun() {
    long id = runs.insert(newRun("https://example.com/app.git", "main", "x86_64")).orElseThrow();
    assertThat(post(id, "/phase", "{\"phase\": \"compiling\"}", null).statusCode()).isEqualTo(204);
    return id;
  }

  private double staleWrites(String write) {
    Counter counter = registry.find("kiln.stale.writes").tag("write", write).counter();
    return counter == null ? 0 : counter.count();
  }

  private HttpResponse<String> logs(long id, Integer attempt, String chunk) {
    return post(id, "/logs", "{\"chunks\": [" + chunk + "]}", attempt);
  }

  private HttpResponse<String> post(long id, String path, String json, Integer attempt) {
    String url = "/internal/runs/" + id + path;
    return attempt == null
        ? http.postJson(url, json, "Authorization", AUTH)
        : http.postJson(
            url, json, "Authorization", AUTH, AttemptFencing.ATTEMPT_HEADER, attempt.toString());
  }

  private HttpResponse<String> artifact(long id, String path, String text, int attempt) {
    byte[] data = text.getBytes(StandardCharsets.UTF_8);
    return http.send(
        http.request("/internal/runs/" + id + "/artifacts?path=" + path)
            .header("Authorization", AUTH)
            .header("Content-Type", "application/octet-stream")
            .header("X-Kiln-Sha256", sha256(data))
            .header(AttemptFencing.ATTEMPT_HEADER, Integer.toString(attempt))
            .PUT(HttpRequest.BodyPublishers.ofByteArray(data))
            .build());
  }

  private static String sha256(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String chunk(long seq, String text) {
    return "{\"seq\": %d, \"step\": \"compile\", \"offset\": 0, \"ts\": \"2026-01-01T00:00:00Z\", \"data\": \"%s\"}"
        .formatted(
            seq,
            Base64.getEncoder().encodeToString((text + "\n").getBytes(StandardCharsets.UTF_8)));
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("never released");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
