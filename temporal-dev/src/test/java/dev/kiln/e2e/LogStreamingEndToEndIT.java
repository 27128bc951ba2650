package dev.kiln.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build log end to end on the dev stack: a build's output reaches an SSE follower and the plain
 * log byte for byte, a follower that reconnects with {@code Last-Event-ID} misses nothing and gets
 * nothing twice, the per-run cap cuts the log without touching the result, and {@code /state} and
 * {@code /mr-task} describe the runs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class LogStreamingEndToEndIT {

  static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);

  /** Small enough for a test build to pass it, large enough for the 200 000 lines (≈ 4 MB). */
  static final String LOG_CAP = "8MB";

  static final int LINES = 200_000;

  /**
   * Prints {@link #LINES} green lines in bursts, pausing half a second every 10 000, so a follower
   * can drop out and come back while the build still runs.
   */
  static final String GREEN_LINES =
      """
      for i in $(seq %d); do
        printf '\\033[32mline %%d\\033[0m\\n' "$i"
        if [ $((i %% 10000)) -eq 0 ]; then sleep 0.5; fi
      done
      """
          .formatted(LINES);

  @TempDir static Path temp;
  static DevStackProcess stack;
  static KilnHttp api;
  static GitFixtures fixtures;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void startStack() throws Exception {
    stack =
        DevStackProcess.start(
            temp.resolve("kiln-home"), Map.of("KILN_LOGS_MAXBYTESPERRUN", LOG_CAP));
    api = new KilnHttp(stack.baseUrl());
    fixtures = new GitFixtures(temp.resolve("repos"));
  }

  @AfterAll
  static void stopStackWithoutOrphans() throws Exception {
    if (stack != null) {
      stack.stopLeavingNothingBehind();
    }
  }

  @Test
  void aFollowerFromTheStartGetsEveryLineOnceInOrderAndThePlainLogIsTheOutputByteForByte()
      throws Exception {
    String mr = "logs-e2e-" + System.nanoTime();
    long runId = rebuild(repositoryPrinting(GREEN_LINES), Map.of("mr", mr));

    List<SseClient.Event> events = new ArrayList<>();
    try (SseClient follower = SseClient.open(logsUrl(runId, ""), null)) {
      readToEnd(follower, events);
    }

    List<SseClient.Event> logs = logEvents(events);
    assertIdsStrictlyIncrease(logs);
    String streamed = text(logs, "compile");
    assertThat(streamed.split("\n", -1)).hasSize(LINES + 1);
    assertThat(streamed).isEqualTo(greenLines());
    assertThat(end(events).path("result").asText()).isEqualTo("passed");
    assertThat(plainLog(runId, "compile")).isEqualTo(greenLines().getBytes(StandardCharsets.UTF_8));

    KilnHttp.Answer task = api.get("/mr-task/" + mr);
    assertThat(task.status()).as(task.body()).isEqualTo(200);
    assertThat(task.json().path("runs").findValuesAsText("run_id")).contains(String.valueOf(runId));
    KilnHttp.Answer none = api.get("/mr-task/no-such-mr-" + System.nanoTime());
    assertThat(none.status()).isEqualTo(404);
    assertThat(none.contentType()).startsWith("application/problem+json");
    assertThat(none.json().path("message").asText()).isEqualTo("No builds found for the given MR");
  }

  @Test
  void aFollowerThatDropsOutMidBuildAndResumesWithLastEventIdMissesNothingAndGetsNothingTwice()
      throws Exception {
    long runId = rebuild(repositoryPrinting(GREEN_LINES), Map.of());

    List<SseClient.Event> events = new ArrayList<>();
    String lastId;
    try (SseClient follower = SseClient.open(logsUrl(runId, ""), null)) {
      List<SseClient.Event> logs = new ArrayList<>();
      while (text(logs, "compile").length() < 1000) {
        SseClient.Event event = follower.next();
        assertThat(event).as("stream ended early").isNotNull();
        events.add(event);
        logs = logEvents(events);
      }
      lastId = logs.get(logs.size() - 1).id();
    }
    assertThat(runView(runId).path("result").asText())
        .as("the follower dropped out while the build still ran")
        .isEqualTo("building");
    long elapsedBefore = stateOf(runId).path("elapsed_s").asLong();
    TimeUnit.MILLISECONDS.sleep(2100);
    assertThat(stateOf(runId).path("elapsed_s").asLong())
        .as("/state while building")
        .isGreaterThan(elapsedBefore);

    try (SseClient resumed = SseClient.open(logsUrl(runId, ""), lastId)) {
      readToEnd(resumed, events);
    }

    List<SseClient.Event> logs = logEvents(events);
    assertIdsStrictlyIncrease(logs);
    assertThat(text(logs, "compile")).isEqualTo(greenLines());
    List<SseClient.Event> replay = new ArrayList<>();
    try (SseClient fresh = SseClient.open(logsUrl(runId, ""), null)) {
      readToEnd(fresh, replay);
    }
    assertThat(text(logs, null)).isEqualTo(text(logEvents(replay), null));
    assertThat(end(events).path("result").asText()).isEqualTo("passed");

    JsonNode finished = stateOf(runId);
    TimeUnit.MILLISECONDS.sleep(2100);
    assertThat(stateOf(runId).path("elapsed_s").asLong())
        .as("/state after the end")
        .isEqualTo(finished.path("elapsed_s").asLong());
    assertThat(finished.path("result").asText()).isEqualTo("passed");
  }

  @Test
  void aBuildWritingPastTheCapPassesAndItsLogEndsWithTheTruncationLine() throws Exception {
    int numbers = 3_000_000;
    long runId = rebuild(repositoryPrinting("seq " + numbers), Map.of());

    JsonNode run = api.awaitEnd(runId, BUILD_TIMEOUT);

    assertThat(run.path("result").asText()).as(run.toString()).isEqualTo("passed");
    String log = new String(plainLog(runId, null), StandardCharsets.UTF_8);
    Matcher truncation =
        Pattern.compile("log truncated at 8 MiB; (\\d+) bytes dropped\n$").matcher(log);
    assertThat(truncation.find()).as("the log's end: %s", tail(log)).isTrue();
    byte[] kept = plainLog(runId, "compile");
    byte[] all = seqOutput(numbers);
    assertThat(kept.length).isLessThanOrEqualTo(8 << 20);
    assertThat(new String(kept, StandardCharsets.US_ASCII))
        .as("the kept output is the start of what the build wrote")
        .isEqualTo(new String(all, 0, kept.length, StandardCharsets.US_ASCII));
    assertThat(Long.parseLong(truncation.group(1)))
        .as("every byte of output not kept is counted")
        .isGreaterThanOrEqualTo(all.length - kept.length);
  }

  private static String repositoryPrinting(String script) throws Exception {
    String kilnYaml =
        """
        compile:
          - run: bash print.sh
            timeout: 10m
        """;
    return fixtures.repository("scripted", Map.of("kiln.yaml", kilnYaml, "print.sh", script));
  }

  private static long rebuild(String repo, Map<String, Object> extra) throws Exception {
    Map<String, Object> body = new java.util.HashMap<>(extra);
    body.put("repo", repo);
    KilnHttp.Answer accepted = api.rebuild(body);
    assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
    return accepted.json().path("run_id").asLong();
  }

  private static String logsUrl(long runId, String query) {
    return stack.baseUrl() + "/runs/" + runId + "/logs" + query;
  }

  private static void readToEnd(SseClient client, List<SseClient.Event> into) throws Exception {
    SseClient.Event event;
    while ((event = client.next()) != null) {
      into.add(event);
      if (event.name().equals("end")) {
        return;
      }
    }
    throw new AssertionError("the stream ended without an end event");
  }

  private static List<SseClient.Event> logEvents(List<SseClient.Event> events) {
    return events.stream().filter(e -> e.name().equals("log")).toList();
  }

  private static JsonNode end(List<SseClient.Event> events) {
    return events.get(events.size() - 1).json();
  }

  /** The texts of the log events of {@code step} (all steps when null), joined. */
  private static String text(List<SseClient.Event> logs, String step) {
    StringBuilder text = new StringBuilder();
    for (SseClient.Event event : logs) {
      JsonNode data = event.json();
      if (step == null || step.equals(data.path("step").asText())) {
        text.append(data.path("text").asText());
      }
    }
    return text.toString();
  }

  private static void assertIdsStrictlyIncrease(List<SseClient.Event> logs) {
    List<Long> ids = logs.stream().map(e -> Long.parseLong(e.id())).toList();
    assertThat(ids).as("log event ids").doesNotHaveDuplicates().isSorted();
  }

  /** What {@link #GREEN_LINES} prints, built without bash. */
  private static String greenLines() {
    StringBuilder text = new StringBuilder();
    for (int i = 1; i <= LINES; i++) {
      text.append("\u001b[32mline ").append(i).append("\u001b[0m\n");
    }
    return text.toString();
  }

  private static byte[] seqOutput(int numbers) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 1; i <= numbers; i++) {
      out.writeBytes((i + "\n").getBytes(StandardCharsets.US_ASCII));
    }
    return out.toByteArray();
  }

  /** {@code GET /runs/{id}/logs} as text/plain bytes, of one step or the whole log. */
  private static byte[] plainLog(long runId, String step) throws Exception {
    String query = step == null ? "" : "?step=" + step.replace(":", "%3A");
    HttpResponse<byte[]> response =
        http.send(
            HttpRequest.newBuilder(URI.create(logsUrl(runId, query)))
                .header("Accept", "text/plain")
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  private static JsonNode runView(long runId) throws Exception {
    return api.get("/runs/" + runId).json();
  }

  private static JsonNode stateOf(long runId) throws Exception {
    for (JsonNode lane : api.get("/state").json()) {
      if (lane.path("run_id").asLong() == runId) {
        return lane;
      }
    }
    throw new AssertionError("run " + runId + " not on /state: " + api.get("/state").body());
  }

  private static String tail(String log) {
    return log.substring(Math.max(0, log.length() - 300));
  }
}
