package dev.kiln.api.limits;

import static dev.kiln.api.support.Runs.newRun;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.api.auth.ApiTokens;
import dev.kiln.api.auth.RepoPatterns;
import dev.kiln.api.auth.Scope;
import dev.kiln.api.runs.RunFilter;
import dev.kiln.api.runs.RunRepository;
import dev.kiln.api.support.KilnApp;
import dev.kiln.api.support.RawHttp;
import dev.kiln.api.support.SseClient;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Per-token limits through the whole api, with limits small enough to reach: 5 requests a second, 2
 * rebuilds a minute, 2 log streams per token and 3 in all, and streams idle for 1 s ended.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
class RequestLimitsIT {

  static final String REPO = "https://git.example.com/team/app.git";

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) throws IOException {
    KilnApp.register(registry, Files.createTempDirectory("kiln-home"));
    registry.add("kiln.temporal.address", () -> "localhost:1");
    registry.add("kiln.temporal.start-timeout", () -> "300ms");
    registry.add("kiln.temporal.rpc-timeout", () -> "300ms");
    registry.add("kiln.dispatch.poller-check-timeout", () -> "300ms");
    registry.add("kiln.auth.trust-loopback", () -> "false");
    registry.add("kiln.limits.requests-per-second", () -> "5");
    registry.add("kiln.limits.rebuilds-per-minute", () -> "2");
    registry.add("kiln.limits.streams-per-token", () -> "2");
    registry.add("kiln.limits.streams", () -> "3");
    registry.add("kiln.limits.stream-idle-timeout", () -> "1500ms");
    registry.add("kiln.logs.heartbeat", () -> "300ms");
  }

  @LocalServerPort int port;
  @Autowired ApiTokens tokens;
  @Autowired RunRepository runs;
  @Autowired StreamLimits streams;

  RawHttp http;

  @BeforeEach
  void client() {
    http = new RawHttp(port);
  }

  private String token(String name, Scope... scopes) {
    return tokens.create(name, Set.of(scopes), RepoPatterns.any(), null, "test").secret();
  }

  @Test
  void aTokenPastItsRequestsPerSecondGets429WithRetryAfterAndOthersDoNot() {
    String busy = token("busy", Scope.READ);
    String calm = token("calm", Scope.READ);
    List<Integer> statuses = new ArrayList<>();
    RawHttp.Response refused = null;
    long began = System.nanoTime();
    for (int i = 0; i < 12; i++) {
      RawHttp.Response response =
          http.send("GET", "/state", null, "Authorization", "Bearer " + busy);
      statuses.add(response.status());
      if (response.status() == 429) {
        refused = response;
      }
    }
    assertThat(statuses).contains(200, 429);
    // a burst of 5, then 5 more each second the 12 requests took (a loaded machine is slow)
    double seconds = (System.nanoTime() - began) / 1e9;
    assertThat(statuses.stream().filter(s -> s == 200).count())
        .isLessThanOrEqualTo(5 + (long) Math.ceil(5 * seconds));
    assertThat(refused.header("Retry-After")).isEqualTo("1");
    assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
    assertThat(refused.body()).contains("token \\\"busy\\\" sent more than 5 requests a second");
    assertThat(http.send("GET", "/state", null, "Authorization", "Bearer " + calm).status())
        .isEqualTo(200);
  }

  @Test
  void theThirdRebuildInAMinuteIs429AndNoRunIsRecordedForIt() {
    String ci = token("ci-rate", Scope.TRIGGER);
    String body = "{\"repo\": \"" + REPO + "\", \"ref\": \"rate\"}";
    RunFilter lane = new RunFilter(REPO, "rate", null, null, null, null, null);
    // Temporal is unreachable here: a rebuild that gets through is recorded and answered 503
    for (int i = 0; i < 2; i++) {
      assertThat(http.send("POST", "/rebuild", body, "Authorization", "Bearer " + ci).status())
          .isEqualTo(503);
    }
    RawHttp.Response third = http.send("POST", "/rebuild", body, "Authorization", "Bearer " + ci);

    assertThat(third.status()).isEqualTo(429);
    assertThat(Long.parseLong(third.header("Retry-After"))).isBetween(1L, 30L);
    assertThat(third.body()).contains("started 2 rebuilds in the last minute");
    assertThat(runs.list(lane, 10)).hasSize(2);
  }

  @Test
  void logStreamsAreLimitedPerTokenAndInAllAndAFreedOneCanBeOpenedAgain() {
    long runId = runs.insert(newRun(REPO, "streams", "x86_64")).orElseThrow();
    String path = "/runs/" + runId + "/logs";
    String reader = token("reader-streams", Scope.READ);
    String other = token("other-streams", Scope.READ);
    try (SseClient first = SseClient.connect(port, path, "Authorization", "Bearer " + reader);
        SseClient second = SseClient.connect(port, path, "Authorization", "Bearer " + reader)) {
      assertThat(first.status()).isEqualTo(200);
      assertThat(second.status()).isEqualTo(200);
      RawHttp.Response third =
          http.send(
              "GET",
              path,
              null,
              "Authorization",
              "Bearer " + reader,
              "Accept",
              "text/event-stream");
      assertThat(third.status()).isEqualTo(429);
      assertThat(third.header("Retry-After")).isEqualTo("10");
      assertThat(third.body()).contains("has 2 log streams open, its limit");

      try (SseClient another = SseClient.connect(port, path, "Authorization", "Bearer " + other)) {
        assertThat(another.status()).isEqualTo(200);
        RawHttp.Response full =
            http.send(
                "GET",
                path,
                null,
                "Authorization",
                "Bearer " + other,
                "Accept",
                "text/event-stream");
        assertThat(full.status()).isEqualTo(429);
        assertThat(full.body()).contains("this api has 3 log streams open, its limit");
      }
    }
    // each closed stream is noticed at its next heartbeat, and freed
    await().atMost(Duration.ofSeconds(10)).until(() -> streams.open() == 0);
    try (SseClient again = SseClient.connect(port, path, "Authorization", "Bearer " + reader)) {
      assertThat(again.status()).isEqualTo(200);
    }
  }

  @Test
  void aStreamThatSentNothingForTheIdleLimitEndsAndFreesItsPlace() {
    long runId = runs.insert(newRun(REPO, "idle", "x86_64")).orElseThrow();
    String reader = token("reader-idle", Scope.READ);
    try (SseClient idle =
        SseClient.connect(port, "/runs/" + runId + "/logs", "Authorization", "Bearer " + reader)) {
      assertThat(idle.status()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(10)).until(idle::ended);
      assertThat(idle.events("end")).as("the run goes on: no end event").isEmpty();
      assertThat(idle.comments()).anyMatch(c -> c.startsWith("idle for too long"));
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> streams.open() == 0);
  }
}
