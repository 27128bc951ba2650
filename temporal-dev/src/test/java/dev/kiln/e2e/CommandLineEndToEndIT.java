package dev.kiln.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
 * listings parse as JSON, the token (from the environment or the config file) is what the api
 * judges, and an api nobody listens for is exit 3 with one line.
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

  /**
   * A request with a token is judged by the token even from loopback, so these prove the token
   * travels as the api expects, from the config file as from the environment.
   */
  @Test
  void theTokenFromTheConfigFileOrTheEnvironmentIsWhatTheApiJudges() throws Exception {
    String readOnly = devJar("token", "create", "--name", "cli-read", "--scopes", "read");
    assertThat(readOnly).matches("kiln_[0-9A-Za-z]{43}");
    Path home = Files.createDirectories(temp.resolve("cli-home/.config/kiln"));
    Files.writeString(
        home.resolve("config"),
        "# the command line's own\nurl=" + stack.baseUrl() + "\ntoken=" + readOnly + "\n");
    Map<String, String> fromFile = Map.of("HOME", temp.resolve("cli-home").toString());

    KilnCliProcess.Finished listed = withEnv(fromFile, "runs", "--json");
    KilnCliProcess.Finished cancel = withEnv(fromFile, "cancel", "1");
    KilnCliProcess.Finished unknown =
        withEnv(Map.of("KILN_TOKEN", "kiln_" + "A".repeat(43)), "runs");

    assertThat(listed.exitCode()).as(listed.toString()).isZero();
    assertThat(cancel.exitCode()).as(cancel.toString()).isEqualTo(3);
    assertThat(cancel.err().lines()).hasSize(1);
    assertThat(cancel.err()).startsWith("kiln: 403: token \"cli-read\" lacks scope \"cancel\"");
    assertThat(unknown.exitCode()).as(unknown.toString()).isEqualTo(3);
    assertThat(unknown.err().strip()).isEqualTo("kiln: 401: unknown token (check KILN_TOKEN)");
  }

  private static KilnCliProcess.Finished withEnv(Map<String, String> env, String... args)
      throws Exception {
    String url = env.containsKey("HOME") ? null : stack.baseUrl();
    return KilnCliProcess.start(temp.resolve("cli"), url, env, args).await(Duration.ofMinutes(1));
  }

  /** {@code java -jar kiln-dev.jar args...} on the stack's KILN_HOME: its stdout, trimmed. */
  private static String devJar(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(Path.of("target", "kiln-dev.jar").toAbsolutePath().toString());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().keySet().removeIf(n -> n.startsWith("KILN_") || n.startsWith("SPRING_"));
    builder.environment().put("KILN_HOME", stack.home.toString());
    Path out = Files.createTempFile(temp, "dev-jar", ".out");
    Process process =
        builder.redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(process.exitValue()).isZero();
    return Files.readString(out).trim();
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
