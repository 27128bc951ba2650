package dev.kiln.activities.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.activities.BuildHost;
import dev.kiln.activities.QuietStart;
import dev.kiln.activities.api.ApiChunkTransport;
import dev.kiln.activities.api.KilnApiClient;
import dev.kiln.activities.capacity.BuildSlots;
import dev.kiln.activities.logs.LogUploader;
import dev.kiln.activities.logs.StepLogs;
import dev.kiln.workflows.FailureTypes;
import dev.kiln.workflows.activities.BuildActivities;
import dev.kiln.workflows.activities.CleanupRequest;
import dev.kiln.workflows.activities.CompileRequest;
import dev.kiln.workflows.activities.GateRequest;
import dev.kiln.workflows.activities.GateResult;
import dev.kiln.workflows.activities.RunContext;
import dev.kiln.workflows.activities.StageRequest;
import dev.kiln.workflows.activities.StageResult;
import dev.kiln.workflows.activities.TestCounts;
import dev.kiln.workflows.plan.CommandStep;
import dev.kiln.workflows.plan.GateSpec;
import dev.kiln.workflows.plan.PipelinePlan;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The build activities with real processes, real files and a real HTTP api on loopback. */
class BuildActivitiesImplTest {

  static final RunContext RUN =
      new RunContext(5, "file:///r.git", "abc", "x86_64", null, List.of(), 1);

  @TempDir Path home;
  Path workspace;
  FakeApi api;
  StepLogs logs;
  TestActivityEnvironment env;
  BuildActivities activities;
  BuildActivitiesImpl implementation;
  BuildSlots slots;

  @BeforeEach
  void setUp() throws Exception {
    workspace = Files.createDirectories(home.resolve("work/runs/5-1"));
    api = new FakeApi();
    KilnApiClient client = new KilnApiClient(api.url(), "token");
    logs = new StepLogs(new LogUploader(new ApiChunkTransport(client), 1 << 24), Clock.systemUTC());
    BuildHost host = new BuildHost("host-a", "kiln-host-host-a-1", home, Duration.ofSeconds(2), 2);
    env = TestActivityEnvironment.newInstance();
    slots = new BuildSlots(1, Duration.ofMinutes(10), Clock.systemUTC(), () -> true);
    implementation = new BuildActivitiesImpl(host, logs, client, slots);
    env.registerActivitiesImplementations(implementation);
    activities = env.newActivityStub(BuildActivities.class);
  }

  @AfterEach
  void tearDown() {
    env.close();
    logs.close();
    api.close();
  }

  @Test
  void compileRunsEachCommandAndStreamsItsOutputToTheLog() {
    activities.compile(
        compile(new CommandStep("echo first && printf '\\033[32mgreen\\033[0m\\n'", 60)));

    assertThat(api.log("compile")).isEqualTo("first\n\u001b[32mgreen\u001b[0m\n");
    assertThat(api.log("kiln")).contains("$ echo first").contains("compile on host-a");
    assertThat(api.chunks.firstKey()).isGreaterThanOrEqualTo(2_000_000L);
  }

  @Test
  void aHostWithoutSandboxReportsSandboxNoneAndNoLimits() {
    activities.compile(compile(new CommandStep("true", 60)));

    assertThat(api.reports.get("sandbox"))
        .singleElement()
        .satisfies(
            body -> {
              assertThat(body.path("sandbox").asText()).isEqualTo("none");
              assertThat(body.path("limits").isNull()).isTrue();
            });
    assertThat(api.reports.get("usage"))
        .singleElement()
        .satisfies(body -> assertThat(body.path("step").asText()).isEqualTo("compile"));
    assertThat(api.log("kiln")).contains("sandbox: none (no isolation, no limits)");
  }

  @Test
  void anAttemptsIsolationIsToldOnceTheApiHasTakenItAndAgainUntilItHas() {
    PipelinePlan plan = planOf(new CommandStep("true", 60), new CommandStep("true", 60));

    activities.compile(new CompileRequest(RUN, workspace.toString(), plan, 2_000_000));
    activities.compile(new CompileRequest(RUN, workspace.toString(), plan, 3_000_000));

    assertThat(api.reports.get("sandbox")).hasSize(1);
    assertThat(api.reports.get("usage")).hasSize(4);

    api.reports.clear();
    api.sandboxReportsToFail.set(1);
    RunContext nextAttempt = attempt(2);
    api.currentAttempt.set(2);
    activities.compile(new CompileRequest(nextAttempt, workspace.toString(), plan, 4_000_000));

    // the first command's report was refused; the second command's went, and was taken
    assertThat(api.reports.get("sandbox")).hasSize(1);
  }

  @Test
  void aRunOfNoNumberedAttemptTellsItsIsolationWithEveryCommand() {
    PipelinePlan plan = planOf(new CommandStep("true", 60), new CommandStep("true", 60));
    RunContext unnumbered = attempt(0);

    activities.compile(new CompileRequest(unnumbered, workspace.toString(), plan, 2_000_000));

    assertThat(api.reports.get("sandbox")).hasSize(2);
  }

  @Test
  void aCommandDoesNotWaitForTheApiToTakeTheUsageOfTheOneBeforeButTheStepEndsOnlyOnceItHas() {
    java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
    api.usageHeld = held;
    PipelinePlan plan =
        new PipelinePlan(
            "test plan",
            List.of(new CommandStep("true", 60), new CommandStep("touch second-ran", 60)),
            List.of(),
            List.of(),
            Map.of());
    CompletableFuture<Void> running =
        CompletableFuture.runAsync(
            () ->
                activities.compile(new CompileRequest(RUN, workspace.toString(), plan, 2_000_000)));

    await().until(() -> Files.exists(workspace.resolve("second-ran")));
    // the step's end waits for both usage reports: far longer than the step takes without them
    await()
        .during(Duration.ofMillis(800))
        .atMost(Duration.ofSeconds(5))
        .until(() -> !running.isDone());
    held.countDown();

    running.join();
    assertThat(api.reports.get("usage"))
        .extracting(body -> body.path("command").asInt())
        .containsExactly(0, 1);
  }

  @Test
  void theRunsStopKillsItsRunningCommandAtOnceAndFailsItsStepAsStopped() throws Exception {
    CompletableFuture<Void> running =
        CompletableFuture.runAsync(
            () ->
                activities.compile(
                    compile(new CommandStep("echo $$ > started; exec sleep 600", 660))));
    await().until(() -> Files.exists(workspace.resolve("started")));
    long pid = Long.parseLong(Files.readString(workspace.resolve("started")).trim());

    long stopAt = System.nanoTime();
    stopFromAnotherActivity();

    assertThatThrownBy(running::join)
        .hasCauseInstanceOf(ActivityFailure.class)
        .satisfies(
            thrown -> {
              ApplicationFailure cause = (ApplicationFailure) thrown.getCause().getCause();
              assertThat(cause.getType()).isEqualTo(FailureTypes.STOPPED);
              assertThat(cause.isNonRetryable()).isTrue();
            });
    assertThat(Duration.ofNanos(System.nanoTime() - stopAt))
        .as("stopped without waiting for a heartbeat's answer")
        .isLessThan(Duration.ofSeconds(2));
    assertThat(ProcessHandle.of(pid)).isEmpty();
    assertThat(api.log("kiln")).contains("stopped: the run was cancelled; process group killed");
  }

  @Test
  void aStopBeforeTheRunsNextCommandStartsStopsItAsItStarts() {
    stopFromAnotherActivity();

    assertThatThrownBy(
            () -> activities.compile(compile(new CommandStep("touch ran; sleep 600", 660))))
        .isInstanceOfSatisfying(
            ActivityFailure.class,
            failure ->
                assertThat(((ApplicationFailure) failure.getCause()).getType())
                    .isEqualTo(FailureTypes.STOPPED));
    assertThat(workspace.resolve("ran")).doesNotExist();
  }

  @Test
  void compileErrorFailsNonRetryablyWithTheCompilersLine() throws Exception {
    Files.writeString(workspace.resolve("main.c"), "int main(void) {\n  return x;\n}\n");

    assertThatThrownBy(() -> activities.compile(compile(new CommandStep("cc -c main.c", 60))))
        .isInstanceOfSatisfying(
            ActivityFailure.class,
            failure -> {
              ApplicationFailure cause = (ApplicationFailure) failure.getCause();
              assertThat(cause.getType()).isEqualTo(FailureTypes.COMPILE_FAILED);
              assertThat(cause.isNonRetryable()).isTrue();
              assertThat(cause.getOriginalMessage()).contains("main.c:2").contains("error:");
            });
  }

  @Test
  void compileThatRunsPastItsTimeoutFailsSayingSo() {
    assertThatThrownBy(() -> activities.compile(compile(new CommandStep("sleep 30", 1))))
        .isInstanceOfSatisfying(
            ActivityFailure.class,
            failure -> {
              ApplicationFailure cause = (ApplicationFailure) failure.getCause();
              assertThat(cause.getType()).isEqualTo(FailureTypes.TIMED_OUT);
              assertThat(cause.getOriginalMessage()).isEqualTo("compile timed out after 1s");
            });
  }

  @Test
  void failingGateReturnsJUnitCountsAndTheFirstFailingTests() throws Exception {
    Files.createDirectories(workspace.resolve("reports"));
    String report =
        """
        <testsuite name="a.CalcTest" tests="2" failures="1" errors="0" skipped="0">
          <testcase name="adds" classname="a.CalcTest"/>
          <testcase name="divides" classname="a.CalcTest"><failure message="boom"/></testcase>
        </testsuite>
        """;
    String command = "cat > reports/TEST-a.xml <<'X'\n" + report + "X\nexit 1";
    GateSpec gate = new GateSpec("unit", command, List.of("reports/*.xml"), 60, true);

    GateResult result =
        activities.gate(new GateRequest(RUN, workspace.toString(), gate, Map.of(), 4_000_000));

    assertThat(result.passed()).isFalse();
    assertThat(result.tests()).isEqualTo(new TestCounts(2, 1, 0));
    assertThat(result.summary()).isEqualTo("1 of 2 tests failed: CalcTest.divides: boom");
    assertThat(api.log(null)).contains("tests from JUnit XML: 2 tests, 1 failed");
    JsonNode sent = api.reports.get("tests").get(0);
    assertThat(sent.path("first").asInt()).isZero();
    assertThat(sent.path("tests"))
        .extracting(t -> t.path("name").asText() + " " + t.path("status").asText())
        .containsExactly("CalcTest.adds passed", "CalcTest.divides failed");
    assertThat(sent.path("tests").get(1).path("message").asText()).isEqualTo("boom");
  }

  @Test
  void aGateAskedToReportItsStartTellsTheApiBeforeItsCommandsReports() {
    GateSpec gate = new GateSpec("unit", "true", List.of(), 60, true);

    GateResult result =
        activities.gate(
            new GateRequest(RUN, workspace.toString(), gate, Map.of(), 4_000_000, true));

    assertThat(result.passed()).isTrue();
    assertThat(result.startRecorded()).isTrue();
    assertThat(api.reports.get("unit"))
        .singleElement()
        .satisfies(body -> assertThat(body.path("status").asText()).isEqualTo("running"));
    assertThat(api.paths)
        .containsSubsequence("/internal/runs/5/gates/unit", "/internal/runs/5/sandbox");
  }

  @Test
  void aGateStartTheApiDidNotTakeIsLeftToTheWorkflowAndAGateNotAskedIsNotReported() {
    GateSpec gate = new GateSpec("unit", "true", List.of(), 60, true);
    api.gateReportsToFail.set(1);

    GateResult refused =
        activities.gate(
            new GateRequest(RUN, workspace.toString(), gate, Map.of(), 4_000_000, true));
    GateResult notAsked =
        activities.gate(new GateRequest(RUN, workspace.toString(), gate, Map.of(), 5_000_000));

    assertThat(refused.passed()).isTrue();
    assertThat(refused.startRecorded()).isFalse();
    assertThat(notAsked.startRecorded()).isFalse();
    assertThat(api.reports.get("unit")).isNull();
  }

  @Test
  void cargoTestOutputIsReadAsTheGateRunsAndItsTestsGoToTheApiInParts() {
    StringBuilder lines = new StringBuilder("echo 'running 1201 tests'\n");
    for (int i = 0; i < 1200; i++) {
      lines.append("echo 'test t").append(i).append(" ... ok'\n");
    }
    lines.append(
        """
        echo 'test broken ... FAILED'
        echo 'failures:'
        echo ''
        echo '---- broken stdout ----'
        echo "thread 'broken' panicked at src/lib.rs:3:5:"
        echo 'it broke'
        echo ''
        echo 'failures:'
        echo '    broken'
        echo 'test result: FAILED. 1200 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out'
        exit 101
        """);
    GateSpec gate = new GateSpec("unit", lines.toString(), List.of(), 60, true);

    GateResult result =
        activities.gate(new GateRequest(RUN, workspace.toString(), gate, Map.of(), 4_000_000));

    assertThat(result.tests()).isEqualTo(new TestCounts(1201, 1, 0));
    assertThat(result.summary())
        .isEqualTo("1 of 1201 tests failed: broken: src/lib.rs:3: it broke");
    assertThat(api.reports.get("tests"))
        .extracting(part -> part.path("first").asInt() + "+" + part.path("tests").size())
        .containsExactly("0+500", "500+500", "1000+201");
  }

  /** A value of at least the mask's minimum length, in no other text the tests print. */
  static final String SECRET = "s3cr3tValue";

  @Test
  void aCompileFailureSummaryMasksASecretAColourCodeSplitInTheOutput() {
    api.secrets.put("TOKEN", SECRET);
    // The raw bytes never hold the value whole; the summary's lines are stripped of colour codes.
    String command = "printf 'main.c:1:1: error: s3cr3t\\033[mValue\\n'; exit 1";

    assertThatThrownBy(
            () -> activities.compile(compile(new CommandStep(command, 60, List.of("TOKEN")))))
        .isInstanceOfSatisfying(
            ActivityFailure.class,
            failure -> {
              ApplicationFailure cause = (ApplicationFailure) failure.getCause();
              assertThat(cause.getType()).isEqualTo(FailureTypes.COMPILE_FAILED);
              assertThat(cause.getOriginalMessage()).contains("error: ***").doesNotContain(SECRET);
            });
    assertThat(api.log("kiln")).contains("error: ***").doesNotContain(SECRET);
  }

  @Test
  void aGatesGoTestJsonOutputIsMaskedAsTheTextItDecodesTo() {
    api.secrets.put("TOKEN", SECRET);
    String escaped =
        SECRET.chars().mapToObj(c -> String.format("\\u%04x", c)).reduce("", String::concat);
    String command =
        "printf '%s\\n' "
            + "'{\"Action\":\"output\",\"Package\":\"p\",\"Output\":\"escaped "
            + escaped
            + "\\n\"}' "
            + "'{\"Action\":\"output\",\"Package\":\"p\",\"Output\":\"split s3cr3t\"}' "
            + "'{\"Action\":\"output\",\"Package\":\"p\",\"Output\":\"Value\\n\"}'";
    GateSpec gate = new GateSpec("unit", command, List.of(), 60, true, null, List.of("TOKEN"));

    activities.gate(new GateRequest(RUN, workspace.toString(), gate, Map.of(), 4_000_000));

    assertThat(api.log("gate:unit"))
        .contains("escaped ***\n", "split ***\n")
        .doesNotContain(SECRET);
  }

  @Test
  void testResultsReadFromTheOutputReachTheApiMasked() {
    api.secrets.put("TOKEN", SECRET);
    // TAP names are read from lines stripped of colour codes, which join the value.
    String command =
        "printf 'TAP version 13\\n1..1\\nnot ok 1 - leaks s3cr3t\\033[mValue\\n'; exit 1";
    GateSpec gate = new GateSpec("unit", command, List.of(), 60, true, null, List.of("TOKEN"));

    GateResult result =
        activities.gate(new GateRequest(RUN, workspace.toString(), gate, Map.of(), 4_000_000));

    assertThat(result.tests()).isEqualTo(new TestCounts(1, 1, 0));
    assertThat(api.reports.get("tests").get(0).path("tests").get(0).path("name").asText())
        .isEqualTo("leaks ***");
    assertThat(api.reports.get("tests").toString()).doesNotContain(SECRET);
  }

  @Test
  void anUnreadableReportsPathAndContentAreMaskedInKilnsLines() {
    api.secrets.put("TOKEN", SECRET);
    // The file name comes from the secret's variable: the command itself is in Kiln's lines.
    String command =
        "mkdir -p reports && printf '<testsuite' > \"reports/TEST-$TOKEN.xml\"; exit 1";
    GateSpec gate =
        new GateSpec("unit", command, List.of("reports/*.xml"), 60, true, null, List.of("TOKEN"));

    activities.gate(new GateRequest(RUN, workspace.toString(), gate, Map.of(), 4_000_000));

    assertThat(api.log("kiln"))
        .contains("unreadable test report: reports/TEST-***.xml")
        .doesNotContain(SECRET);
  }

  @Test
  void passingGateWithoutReportsSaysPassed() {
    GateSpec gate = new GateSpec("lint", "true", List.of(), 60, false);

    GateResult result =
        activities.gate(new GateRequest(RUN, workspace.toString(), gate, Map.of(), 4_000_000));

    assertThat(result.passed()).isTrue();
    assertThat(result.tests()).isNull();
  }

  @Test
  void aGateSendsTemporalNoHeartbeatInItsQuietStart() {
    List<Long> heartbeats = new java.util.concurrent.CopyOnWriteArrayList<>();
    env.setActivityHeartbeatListener(Object.class, details -> heartbeats.add(System.nanoTime()));
    // long enough for the command's heartbeat to tick (every 250 ms), short enough to end quiet
    GateSpec gate = new GateSpec("lint", "sleep 0.4", List.of(), 60, false);
    long started = System.nanoTime();

    activities.gate(new GateRequest(RUN, workspace.toString(), gate, Map.of(), 4_000_000));

    assertThat(heartbeats)
        .allSatisfy(at -> assertThat(at - started).isGreaterThan(QuietStart.LENGTH.toNanos()));
  }

  @Test
  void aCompileHeartbeatsOnceItsQuietStartIsOver() {
    List<Long> heartbeats = new java.util.concurrent.CopyOnWriteArrayList<>();
    env.setActivityHeartbeatListener(Object.class, details -> heartbeats.add(System.nanoTime()));
    long started = System.nanoTime();

    activities.compile(compile(new CommandStep("sleep 1.5", 600)));

    assertThat(heartbeats)
        .isNotEmpty()
        .allSatisfy(at -> assertThat(at - started).isGreaterThan(QuietStart.LENGTH.toNanos()));
  }

  @Test
  void stageUploadsEveryMatchingFileWithItsSha256() throws Exception {
    Files.createDirectories(workspace.resolve("target"));
    Files.writeString(workspace.resolve("target/app.jar"), "jar bytes");
    Files.writeString(workspace.resolve("target/notes.txt"), "not staged");
    PipelinePlan plan =
        new PipelinePlan("test", List.of(), List.of("target/*.jar"), List.of(), Map.of());

    StageResult result =
        activities.stage(new StageRequest(RUN, workspace.toString(), plan, 3_000_000));

    assertThat(result.artifacts()).hasSize(1);
    assertThat(result.artifacts().get(0).path()).isEqualTo("target/app.jar");
    assertThat(result.artifacts().get(0).size()).isEqualTo(9);
    assertThat(new String(api.artifacts.get("target/app.jar"))).isEqualTo("jar bytes");
    assertThat(api.artifactShas.get("target/app.jar"))
        .isEqualTo(result.artifacts().get(0).sha256());
  }

  @Test
  void cancellingACompileKillsItsProcessGroupBeforeTheActivityEnds() throws Exception {
    Path marker = workspace.resolve("child.pid");
    String command = "bash -c 'trap \"\" TERM; echo $$ > child.pid; sleep 300' & wait";
    CompletableFuture<Void> running =
        CompletableFuture.runAsync(
            () -> activities.compile(compile(new CommandStep(command, 600))));
    await().until(() -> Files.exists(marker) && !Files.readString(marker).isBlank());
    long child = Long.parseLong(Files.readString(marker).trim());

    env.requestCancelActivity();

    assertThatThrownBy(running::join).hasRootCauseInstanceOf(CanceledFailure.class);
    assertThat(runningNotZombie(child)).as("SIGTERM-ignoring child still running").isFalse();
    await().until(() -> api.log("kiln").contains("cancelled: process group killed"));
    assertThat(api.log("kiln"))
        .containsSubsequence(
            "cancelling: SIGTERM sent (cancelled by the workflow)\n",
            "SIGKILL sent after 2s grace\n",
            "process group gone\n",
            "cancelled: process group killed");
  }

  @Test
  void aCommandThatStopsOnSigtermIsConfirmedGoneWithoutASigkill() throws Exception {
    Path marker = workspace.resolve("started");
    CompletableFuture<Void> running =
        CompletableFuture.runAsync(
            () -> activities.compile(compile(new CommandStep("touch started; sleep 300", 600))));
    await().until(() -> Files.exists(marker));

    env.requestCancelActivity();

    assertThatThrownBy(running::join).hasRootCauseInstanceOf(CanceledFailure.class);
    await().until(() -> api.log("kiln").contains("process group gone"));
    assertThat(api.log("kiln"))
        .containsSubsequence(
            "cancelling: SIGTERM sent (cancelled by the workflow)\n", "process group gone\n")
        .doesNotContain("SIGKILL");
  }

  @Test
  void aWriteTheApiRefusesAsStaleKillsTheCompileAtOnceAndNothingMoreIsSentForItsAttempt()
      throws Exception {
    Path marker = workspace.resolve("child.pid");
    // ignores SIGTERM and prints on: only a SIGKILL stops it, and its lines keep coming until then
    String command =
        "bash -c 'trap \"\" TERM; echo $$ > child.pid;"
            + " while true; do echo tick; sleep 0.1; done' & wait";
    CompletableFuture<Void> running =
        CompletableFuture.runAsync(
            () -> activities.compile(compile(new CommandStep(command, 600))));
    await().until(() -> Files.exists(marker) && !Files.readString(marker).isBlank());
    long child = Long.parseLong(Files.readString(marker).trim());
    await().until(() -> api.log("compile").contains("tick"));

    // the run started over on another host
    api.currentAttempt.set(2);
    long raised = System.nanoTime();

    assertThatThrownBy(running::join)
        .rootCause()
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            failure -> {
              assertThat(failure.getType()).isEqualTo(FailureTypes.HOST_LOST);
              assertThat(failure.getOriginalMessage())
                  .contains("superseded")
                  .contains("stale attempt 1 of run 5: attempt 2 is current");
            });
    assertThat(runningNotZombie(child)).as("the SIGTERM-ignoring child").isFalse();
    // SIGTERM and the host's 2 s grace period first could not have ended it this soon
    assertThat(Duration.ofNanos(System.nanoTime() - raised)).isLessThan(Duration.ofSeconds(2));
    assertThat(api.staleWrites).hasValue(1);
    assertThat(api.requestsAfterStale).as("requests after the api refused one").hasValue(0);
    assertThat(api.log("kiln")).doesNotContain("SIGTERM", "cancelled");
  }

  @Test
  void aSupersededAttemptFreesItsBuildSlotAndRemovesItsWorkspaceAtOnce() throws Exception {
    // TestActivityEnvironment runs every activity under this workflow id
    slots.markUsed(slots.reserve().join(), "test-workflow-id");
    slots.keep("test-workflow-id", workspace);
    Path marker = workspace.resolve("started");
    CompletableFuture<Void> running =
        CompletableFuture.runAsync(
            () ->
                activities.compile(
                    compile(
                        new CommandStep(
                            "touch started; while true; do echo tick; sleep 0.1; done", 600))));
    await().until(() -> Files.exists(marker) && api.log("compile").contains("tick"));
    assertThat(slots.free()).isZero();

    // the run started over on another host
    api.currentAttempt.set(2);

    assertThatThrownBy(running::join).rootCause().isInstanceOf(ApplicationFailure.class);
    assertThat(slots.free()).as("the superseded attempt's slot, without waiting 10 min").isOne();
    assertThat(workspace).doesNotExist();
  }

  @Test
  void anAttemptSupersededWhileItsLogIsStillUploadingFreesItsSlotAndWorkspaceToo()
      throws Exception {
    slots.markUsed(slots.reserve().join(), "test-workflow-id");
    slots.keep("test-workflow-id", workspace);
    java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
    api.logsHeld = held;
    List<Long> heartbeats = new java.util.concurrent.CopyOnWriteArrayList<>();
    env.setActivityHeartbeatListener(Object.class, details -> heartbeats.add(System.nanoTime()));
    CompletableFuture<Void> running =
        CompletableFuture.runAsync(
            () -> activities.compile(compile(new CommandStep("echo compiled", 600))));
    // the command is over; the step waits for its log to reach the api, heartbeating
    await().until(() -> api.reports.containsKey("usage"));
    long over = System.nanoTime();
    await().until(() -> heartbeats.stream().anyMatch(at -> at - over > 1_000_000_000L));
    assertThat(slots.free()).isZero();

    // the run started over on another host meanwhile: the upload is refused as stale
    api.currentAttempt.set(2);
    held.countDown();

    running.join();
    assertThat(api.staleWrites).hasPositiveValue();
    assertThat(slots.free()).as("the superseded attempt's slot, without waiting 10 min").isOne();
    assertThat(workspace).doesNotExist();
  }

  @Test
  void aSupersededAttemptLeavesTheLeaseOfTheRunsNewerAttemptOnThisHostAlone() throws Exception {
    Path newer = Files.createDirectories(workspace.resolveSibling("newer-attempt"));
    slots.markUsed(slots.reserve().join(), "test-workflow-id");
    slots.keep("test-workflow-id", newer);

    assertThat(slots.endSuperseded("test-workflow-id", workspace)).isFalse();

    assertThat(slots.free()).isZero();
    assertThat(slots.endSuperseded("test-workflow-id", newer)).isTrue();
    assertThat(slots.free()).isOne();
  }

  @Test
  void cleanupFreesTheBuildSlotTheRunsFetchKept() {
    // TestActivityEnvironment runs every activity under this workflow id
    slots.markUsed(slots.reserve().join(), "test-workflow-id");
    slots.keep("test-workflow-id", workspace);
    assertThat(slots.free()).isZero();

    activities.cleanup(new CleanupRequest(5, workspace.toString()));

    assertThat(slots.free()).isEqualTo(1);
  }

  @Test
  void cleanupRemovesTheWorkspaceAndIsIdempotent() throws Exception {
    Files.writeString(workspace.resolve("file"), "x");

    activities.cleanup(new CleanupRequest(5, workspace.toString()));
    activities.cleanup(new CleanupRequest(5, workspace.toString()));

    assertThat(workspace).doesNotExist();
  }

  /** A killed child stays a zombie until init reaps it; that is dead enough. */
  private static boolean runningNotZombie(long pid) throws Exception {
    Path stat = Path.of("/proc", String.valueOf(pid), "stat");
    if (!Files.exists(stat)) {
      return false;
    }
    String text = Files.readString(stat);
    char state = text.charAt(text.lastIndexOf(')') + 2);
    return state != 'Z' && state != 'X';
  }

  /** The run's stop activity, while this test's environment runs another of the run's. */
  private void stopFromAnotherActivity() {
    TestActivityEnvironment stopping = TestActivityEnvironment.newInstance();
    try {
      stopping.registerActivitiesImplementations(implementation);
      stopping.newActivityStub(BuildActivities.class).stop(5);
    } finally {
      stopping.close();
    }
  }

  private CompileRequest compile(CommandStep step) {
    return new CompileRequest(RUN, workspace.toString(), planOf(step), 2_000_000);
  }

  private static PipelinePlan planOf(CommandStep... compile) {
    return new PipelinePlan("test plan", List.of(compile), List.of(), List.of(), Map.of());
  }

  /** {@link #RUN} as host attempt {@code number} (0: a run recorded before attempts were). */
  private static RunContext attempt(int number) {
    return new RunContext(
        RUN.runId(), RUN.repo(), RUN.sha(), RUN.arch(), RUN.target(), RUN.args(), number);
  }
}
