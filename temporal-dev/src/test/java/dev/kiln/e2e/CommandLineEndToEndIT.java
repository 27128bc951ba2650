package dev.kiln.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code kiln} command line as a real process ({@code bin/kiln}) against the real dev stack:
 * following a run prints its log and exits with its result (0 passed, 1 failed, 2 cancelled),
 * listings parse as JSON, and an api nobody listens for is exit 3 with one line.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CommandLineEndToEndIT {

  static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);

  private static final Pattern QUEUED = Pattern.compile("run (\\d+) queued in lane ");

  private static final String PASSING =
      """
      compile:
        - run: echo "compiled by the passing fixture"
      gates:
        - name: unit
          run: echo "all good"
      """;

  private static final String SLOW =
      """
      compile:
        - run: |
            echo "slow step started"
            sleep 600
          timeout: 20m
      """;

  @TempDir static Path temp;
  static DevStackProcess stack;
  static KilnHttp api;
  static GitFixtures fixtures;

  @BeforeAll
  static void startStack() throws Exception {
    stack = DevStackProcess.start(temp.resolve("kiln-home"));
    api = new KilnHttp(stack.baseUrl());
    fixtures = new GitFixtures(temp.resolve("repos"));
  }

  @AfterAll
  static void stopStackWithoutOrphans() throws Exception {
    if (stack != null) {
      stack.stopLeavingNothingBehind();
    }
  }

  private static KilnCliProcess.Finished kiln(String... args) throws Exception {
    return KilnCliProcess.run(temp.resolve("cli"), stack.baseUrl(), BUILD_TIMEOUT, args);
  }

  private static long queuedRunId(String stderr) {
    Matcher queued = QUEUED.matcher(stderr);
    assertThat(queued.find()).as(stderr).isTrue();
    return Long.parseLong(queued.group(1));
  }

  @Test
  void followingAPassingRunPrintsItsLogAndExitsZero() throws Exception {
    String repo = fixtures.repository("c-make", Map.of("kiln.yaml", PASSING));

    KilnCliProcess.Finished kiln = kiln("rebuild", repo, "--ref", "main", "--follow");

    assertThat(kiln.exitCode()).as(kiln.toString()).isZero();
    assertThat(kiln.out()).contains("compiled by the passing fixture", "all good");
    assertThat(kiln.out()).as("no colours into a file").doesNotContain("\u001b[");
    long runId = queuedRunId(kiln.err());
    assertThat(kiln.err()).contains("run " + runId + " passed");
    assertThat(api.get("/runs/" + runId).json().path("result").asText()).isEqualTo("passed");
  }

  @Test
  void followingAFailingRunPrintsItsLogAndFailureSummaryAndExitsOne() throws Exception {
    String spec =
        """
        compile:
          - run: |
              echo "error: widget.c:3: expected ';' before '}'"
              exit 1
        """;
    String repo = fixtures.repository("c-make", Map.of("kiln.yaml", spec));

    KilnCliProcess.Finished kiln = kiln("rebuild", repo, "--ref", "main", "--follow");

    assertThat(kiln.exitCode()).as(kiln.toString()).isEqualTo(1);
    assertThat(kiln.out()).contains("error: widget.c:3: expected ';' before '}'");
    long runId = queuedRunId(kiln.err());
    JsonNode run = api.get("/runs/" + runId).json();
    assertThat(run.path("result").asText()).isEqualTo("failed");
    assertThat(kiln.err())
        .contains("run " + runId + " failed: " + run.path("failure_summary").asText());
  }

  @Test
  void ctrlCWithCancelOnInterruptCancelsTheFollowedRunAndExitsTwo() throws Exception {
    String repo = fixtures.repository("c-make", Map.of("kiln.yaml", SLOW));
    KilnCliProcess follower =
        KilnCliProcess.start(
            temp.resolve("cli"),
            stack.baseUrl(),
            "rebuild",
            repo,
            "--ref",
            "main",
            "--follow",
            "--cancel-on-interrupt");
    Awaitility.await()
        .atMost(BUILD_TIMEOUT)
        .until(() -> follower.out().contains("slow step started"));

    follower.interrupt();
    KilnCliProcess.Finished kiln = follower.await(Duration.ofMinutes(2));

    assertThat(kiln.exitCode()).as(kiln.toString()).isEqualTo(2);
    long runId = queuedRunId(kiln.err());
    assertThat(kiln.err()).contains("cancelling run " + runId, "run " + runId + " cancelled");
    assertThat(api.get("/runs/" + runId).json().path("result").asText()).isEqualTo("cancelled");
  }

  @Test
  void kilnCancelEndsARunThatKilnLogsFollowsWhichThenExitsTwo() throws Exception {
    String repo = fixtures.repository("c-make", Map.of("kiln.yaml", SLOW));
    KilnCliProcess.Finished started = kiln("rebuild", repo, "--ref", "main");
    assertThat(started.exitCode()).as(started.toString()).isZero();
    long runId = queuedRunId(started.err());
    KilnCliProcess follower =
        KilnCliProcess.start(
            temp.resolve("cli"), stack.baseUrl(), "logs", "-f", Long.toString(runId));
    Awaitility.await()
        .atMost(BUILD_TIMEOUT)
        .until(() -> follower.out().contains("slow step started"));

    KilnCliProcess.Finished cancel = kiln("cancel", Long.toString(runId), "--reason", "too slow");
    KilnCliProcess.Finished followed = follower.await(Duration.ofMinutes(2));

    assertThat(cancel.exitCode()).as(cancel.toString()).isZero();
    assertThat(cancel.err()).contains("run " + runId + " is being cancelled");
    assertThat(followed.exitCode()).as(followed.toString()).isEqualTo(2);
    assertThat(followed.err()).contains("run " + runId + " cancelled");
  }

  @Test
  void runsAsJsonParsesAndListsTheRunThatShowAndTheTableDescribe() throws Exception {
    String repo = fixtures.repository("c-make", Map.of("kiln.yaml", PASSING));
    KilnCliProcess.Finished started = kiln("rebuild", repo, "--ref", "main");
    long runId = queuedRunId(started.err());
    assertThat(kiln("logs", "-f", Long.toString(runId)).exitCode()).isZero();

    KilnCliProcess.Finished json = kiln("runs", "--json", "--repo", repo, "--limit", "5");
    KilnCliProcess.Finished table = kiln("runs", "--repo", repo);
    KilnCliProcess.Finished show = kiln("show", Long.toString(runId));
    KilnCliProcess.Finished log = kiln("logs", Long.toString(runId));

    assertThat(json.exitCode()).as(json.toString()).isZero();
    JsonNode page = new ObjectMapper().readTree(json.out());
    assertThat(page.path("runs")).hasSize(1);
    assertThat(page.path("runs").get(0).path("run_id").asLong()).isEqualTo(runId);
    assertThat(page.path("runs").get(0).path("result").asText()).isEqualTo("passed");
    assertThat(table.exitCode()).as(table.toString()).isZero();
    assertThat(table.out().lines().toList())
        .hasSize(2)
        .last()
        .asString()
        .startsWith(runId + " ")
        .contains("passed", "done", "main");
    assertThat(show.exitCode()).as(show.toString()).isZero();
    assertThat(show.out()).startsWith("run " + runId + "  passed  done").contains(repo);
    assertThat(log.exitCode()).as(log.toString()).isZero();
    assertThat(log.out()).contains("compiled by the passing fixture");
  }

  @Test
  void aRefusedConnectionIsExitThreeWithOneClearLine() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    String url = "http://127.0.0.1:" + port;

    KilnCliProcess.Finished kiln =
        KilnCliProcess.run(temp.resolve("cli"), url, Duration.ofMinutes(1), "runs");

    assertThat(kiln.exitCode()).as(kiln.toString()).isEqualTo(3);
    assertThat(kiln.out()).isEmpty();
    assertThat(kiln.err().lines()).hasSize(1);
    assertThat(kiln.err()).startsWith("kiln: cannot reach Kiln at " + url + ": connection refused");
  }
}
