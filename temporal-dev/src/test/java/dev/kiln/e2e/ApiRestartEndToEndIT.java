package dev.kiln.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.dev.Ports;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The api a build host uploads its log to dies (SIGKILL) in the middle of a build and comes back:
 * the build is not held up, no chunk is lost once the api is back, and a client that follows the
 * log through that api and reconnects with {@code Last-Event-ID} gets every line exactly once.
 *
 * <p>The stack's own api stays up, so the workflow's ledger keeps working; the build host that runs
 * the build (an extra worker serving only {@value #ARCH}) and the follower use a second api, which
 * is the one that is killed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiRestartEndToEndIT {

  private static final String ARCH = "s390x";
  private static final int LINES = 20_000;

  /** The compile's pace: {@value #LINES} lines in bursts of 500 every 0.4 s, about 16 s. */
  private static final Duration NOMINAL_COMPILE = Duration.ofSeconds(16);

  @TempDir static Path temp;
  static DevStackProcess stack;
  static KilnHttp api;
  static JoiningProcess worker;
  static GitFixtures fixtures;
  static int secondApiPort;

  @BeforeAll
  static void startStackWithASecondApiAndABuildHostUsingIt() throws Exception {
    stack =
        DevStackProcess.start(temp.resolve("kiln-home"), Map.of("KILN_ARCHS", "x86_64," + ARCH));
    api = new KilnHttp(stack.baseUrl());
    fixtures = new GitFixtures(temp.resolve("repos"));
    secondApiPort = Ports.freePort();
  }

  @AfterAll
  static void stopAll() throws Exception {
    if (worker != null) {
      worker.close();
    }
    if (stack != null) {
      stack.stopLeavingNothingBehind();
    }
  }

  @Test
  void aBuildOutlivesTheDeathOfItsApiAndAReconnectingFollowerGetsEveryLineOnce() throws Exception {
    JoiningProcess secondApi = startSecondApi();
    worker =
        JoiningProcess.start(
            stack,
            "worker",
            temp.resolve("host-home"),
            Map.of(
                "KILN_API_URL",
                secondApiUrl(),
                "KILN_WORKER_ARCHS",
                ARCH,
                "KILN_WORKER_HOST",
                "restart-host"));
    String compile =
        "s=$(date +%s%N); for i in $(seq 1 "
            + LINES
            + "); do echo \"line $i\"; if [ $((i % 500)) = 0 ]; then sleep 0.4; fi; done;"
            + " echo \"compile took $(( ($(date +%s%N) - s) / 1000000 )) ms\"";
    String repo =
        fixtures.repository(
            "c-make", Map.of("kiln.yaml", "compile:\n  - run: '" + compile + "'\n"));
    long runId =
        api.rebuild(Map.of("repo", repo, "arch", ARCH, "supersede", false))
            .json()
            .path("run_id")
            .asLong();
    String logs = secondApiUrl() + "/runs/" + runId + "/logs?step=compile";

    StringBuilder received = new StringBuilder();
    String lastId;
    try (SseClient follower = SseClient.open(logs, null)) {
      lastId = follow(follower, received, 2_000);
    }
    long killed = System.nanoTime();
    secondApi.kill();
    TimeUnit.SECONDS.sleep(4);
    JoiningProcess restarted = startSecondApi();
    Duration down = Duration.ofNanos(System.nanoTime() - killed);
    try {
      try (SseClient follower = SseClient.open(logs, lastId)) {
        follow(follower, received, Long.MAX_VALUE);
      }
      JsonNode run = api.awaitEnd(runId, Duration.ofMinutes(3));

      assertThat(run.path("result").asText()).as(run.toString()).isEqualTo("passed");
      List<String> expected = IntStream.rangeClosed(1, LINES).mapToObj(i -> "line " + i).toList();
      List<String> followed =
          received.toString().lines().filter(l -> l.startsWith("line ")).toList();
      assertThat(followed)
          .as(
              "lines the follower received across the api's restart: %s",
              difference(expected, followed))
          .isEqualTo(expected);
      String stored = api.get("/runs/" + runId + "/logs?step=compile").body();
      List<String> kept = stored.lines().filter(l -> l.startsWith("line ")).toList();
      assertThat(kept).as("the stored log: %s", difference(expected, kept)).isEqualTo(expected);
      long took = compileMillis(stored);
      System.out.printf(
          "compile took %d ms (nominal %d ms); the api was down for %d ms%n",
          took, NOMINAL_COMPILE.toMillis(), down.toMillis());
      assertThat(took)
          .as("the build waited for the api")
          .isLessThan(NOMINAL_COMPILE.multipliedBy(2).toMillis());
    } finally {
      restarted.close();
    }
  }

  /**
   * Appends the text of the {@code log} events to {@code received} until it holds {@code minLines}
   * lines or the stream ends (the {@code end} event, or the connection closing); returns the id of
   * the last event read. A chunk may end in the middle of a line.
   */
  private static String follow(SseClient follower, StringBuilder received, long minLines)
      throws IOException {
    String lastId = null;
    SseClient.Event event;
    while (received.chars().filter(c -> c == '\n').count() < minLines
        && (event = follower.next()) != null) {
      if ("end".equals(event.name())) {
        break;
      }
      if ("log".equals(event.name())) {
        lastId = event.id();
        received.append(event.json().path("text").asText());
      }
    }
    return lastId;
  }

  /** Where two long lists of lines part, in a few words. */
  private static String difference(List<String> expected, List<String> actual) {
    int i = 0;
    while (i < expected.size() && i < actual.size() && expected.get(i).equals(actual.get(i))) {
      i++;
    }
    return actual.size()
        + " lines, "
        + expected.size()
        + " expected; first difference at index "
        + i
        + ": "
        + actual.subList(Math.max(0, i - 2), Math.min(actual.size(), i + 3))
        + " where "
        + expected.subList(Math.max(0, i - 2), Math.min(expected.size(), i + 3))
        + " was expected";
  }

  private static long compileMillis(String log) {
    return log.lines()
        .filter(l -> l.startsWith("compile took "))
        .map(l -> Long.parseLong(l.replaceAll("\\D", "")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no timing in the log:\n" + tail(log)));
  }

  private static String tail(String log) {
    return log.length() > 2000 ? log.substring(log.length() - 2000) : log;
  }

  /** The second api, on the same port each time, with the stack's KILN_HOME for artifacts. */
  private static JoiningProcess startSecondApi() throws Exception {
    return JoiningProcess.start(
        stack,
        "api",
        temp.resolve("second-api"),
        Map.of(
            "SERVER_PORT", String.valueOf(secondApiPort),
            "KILN_ARCHS", "x86_64," + ARCH,
            "KILN_HOME", stack.home.toString()));
  }

  private static String secondApiUrl() {
    return "http://127.0.0.1:" + secondApiPort;
  }
}
