package dev.kiln.workflows.culprit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.workflows.RebuildRequest;
import dev.kiln.workflows.RunOutcome;
import dev.kiln.workflows.TaskQueues;
import dev.kiln.workflows.rebuild.RebuildWorkflow;
import dev.kiln.workflows.rebuild.RecordedHistories;
import dev.kiln.workflows.rebuild.RunProgress;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The culprit finder over a lane of 16 commits, {@code c01..c16}, that passed at {@code c01} and
 * failed at {@code c16} (run 100). Its ledger and the commit listing are fakes of the activity
 * interfaces; each bisect build is a child workflow whose outcome the test scripts per commit and
 * attempt.
 */
class CulpritWorkflowTest {

  static final String REPO = "https://git.example.com/team/app.git";
  static final long FAILING_RUN = 100;
  static final FailureSignature UNIT_FAILURE =
      new FailureSignature("gate unit", List.of("AppTest.adds"));
  static final FailureSignature COMPILE_FAILURE = new FailureSignature("compile", List.of());

  /** What a build of a commit shows, by commit number and attempt (1 = its first bisect build). */
  interface Script extends BiFunction<Integer, Integer, FailureSignature> {}

  /** Outcomes the fake builds return, by run id: decided when the ledger records the run. */
  static final Map<Long, FailureSignature> OUTCOMES = new ConcurrentHashMap<>();

  /** Runs whose build never ends by itself: it waits until it is cancelled. */
  static final Set<Long> HANGING = ConcurrentHashMap.newKeySet();

  TestWorkflowEnvironment env;
  WorkflowClient client;
  final FakeLedger ledger = new FakeLedger();

  /** Commit {@code n} of the lane. */
  static String sha(int n) {
    return String.format("c%02d", n);
  }

  static int number(String sha) {
    return Integer.parseInt(sha.substring(1));
  }

  /** Commit 11 breaks test AppTest.adds; every build shows the same thing every time. */
  static final Script COMMIT_11_BREAKS = (commit, attempt) -> commit >= 11 ? UNIT_FAILURE : null;

  @BeforeEach
  void start() {
    OUTCOMES.clear();
    HANGING.clear();
    env =
        TestWorkflowEnvironment.newInstance(
            TestEnvironmentOptions.newBuilder()
                .registerSearchAttribute("KilnRepo", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD)
                .registerSearchAttribute("KilnBranch", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD)
                .registerSearchAttribute("KilnSha", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD)
                .registerSearchAttribute("KilnArch", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD)
                .registerSearchAttribute("KilnMr", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD)
                .registerSearchAttribute("KilnPhase", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD)
                .registerSearchAttribute("KilnResult", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD)
                .registerSearchAttribute("KilnRunId", IndexedValueType.INDEXED_VALUE_TYPE_INT)
                .build());
    client = env.getWorkflowClient();
    env.newWorker(TaskQueues.CULPRIT)
        .registerWorkflowImplementationTypes(CulpritWorkflowImpl.class);
    env.getWorkerFactory().getWorker(TaskQueues.CULPRIT).registerActivitiesImplementations(ledger);
    env.newWorker(TaskQueues.CONTROL)
        .registerWorkflowImplementationFactory(RebuildWorkflow.class, ScriptedBuild::new);
    env.newWorker(TaskQueues.WATCH).registerActivitiesImplementations(new FakeHistory());
  }

  @AfterEach
  void stop() {
    env.close();
  }

  private BisectReport find() {
    env.start();
    return stub()
        .find(
            new CulpritRequest(
                FAILING_RUN, REPO, "x86_64", REPO + "#main@x86_64", sha(1), 90, sha(16)));
  }

  private CulpritWorkflow stub() {
    return client.newWorkflowStub(
        CulpritWorkflow.class,
        WorkflowOptions.newBuilder()
            .setWorkflowId(CulpritWorkflow.workflowId(FAILING_RUN))
            .setTaskQueue(TaskQueues.CULPRIT)
            .build());
  }

  /** The started bisection, for queries and signals. */
  private CulpritWorkflow running() {
    return client.newWorkflowStub(CulpritWorkflow.class, CulpritWorkflow.workflowId(FAILING_RUN));
  }

  @Test
  void commitElevenOfSixteenIsNamedAfterFourSearchBuildsAndTwoConfirmingOnes() {
    ledger.script = COMMIT_11_BREAKS;

    BisectReport report = find();

    assertThat(report.status()).isEqualTo(BisectReport.FOUND);
    assertThat(report.culprit())
        .isEqualTo(new Culprit(sha(11), "Ada <ada@example.com>", "change 11", 1004));
    assertThat(report.builds()).isEqualTo(6);
    assertThat(report.budget()).isEqualTo(6);
    // midpoints of 2..16, then the culprit and its parent once more
    assertThat(ledger.built).containsExactly(8, 12, 10, 11, 11, 10);
    assertThat(ledger.reports.get(ledger.reports.size() - 1)).isEqualTo(report);
    assertThat(ledger.reports).allMatch(r -> r.builds() <= r.budget());
    assertThat(maxBuildsAtOnce()).isEqualTo(1);
    RecordedHistories.saveIfRecording(
        client, CulpritWorkflow.workflowId(FAILING_RUN), "culprit-found");
  }

  @Test
  void bisectBuildsAreLowPriorityChildrenOfTheirRecordedRuns() {
    ledger.script = COMMIT_11_BREAKS;

    find();

    var started =
        history().stream()
            .filter(
                e ->
                    e.getEventType()
                        == EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED)
            .map(HistoryEvent::getStartChildWorkflowExecutionInitiatedEventAttributes)
            .toList();
    assertThat(started).hasSize(6);
    assertThat(started.get(0).getWorkflowId()).isEqualTo("kiln-run-1000");
    assertThat(started).allMatch(s -> s.getTaskQueue().getName().equals(TaskQueues.CONTROL));
    assertThat(started).allMatch(s -> s.getPriority().getPriorityKey() == 4);
  }

  @Test
  void aCulpritWhoseRebuildPassesIsNotNamed() {
    ledger.script =
        (commit, attempt) -> commit > 11 || (commit == 11 && attempt == 1) ? UNIT_FAILURE : null;

    BisectReport report = find();

    assertThat(report.status()).isEqualTo(BisectReport.GAVE_UP);
    assertThat(report.culprit()).isNull();
    assertThat(report.note()).startsWith("flaky: c11 failed, then passed");
    assertThat(ledger.built).containsExactly(8, 12, 10, 11, 11);
  }

  @Test
  void aParentWhoseRebuildFailsLeavesTheCulpritUnnamed() {
    ledger.script =
        (commit, attempt) -> commit >= 11 || (commit == 10 && attempt == 2) ? UNIT_FAILURE : null;

    BisectReport report = find();

    assertThat(report.status()).isEqualTo(BisectReport.GAVE_UP);
    assertThat(report.culprit()).isNull();
    assertThat(report.note()).startsWith("flaky: c10 passed, then failed in gate unit");
    assertThat(ledger.built).containsExactly(8, 12, 10, 11, 11, 10);
  }

  @Test
  void commitsThatFailAnotherWayAreSkippedUntilTheBudgetIsSpent() {
    ledger.script = (commit, attempt) -> commit == 16 ? UNIT_FAILURE : COMPILE_FAILURE;

    BisectReport report = find();

    assertThat(report.status()).isEqualTo(BisectReport.GAVE_UP);
    assertThat(report.note()).isEqualTo("no culprit within 6 bisect builds");
    assertThat(report.builds()).isEqualTo(6);
    // the midpoint, then the nearest untried commits around it
    assertThat(ledger.built).containsExactly(8, 7, 9, 6, 10, 5);
  }

  @Test
  void aLaneFixedMeanwhileStopsTheBisectionBeforeItsNextBuild() {
    ledger.script = COMMIT_11_BREAKS;
    ledger.fixedAfterBuilds = 2;

    BisectReport report = find();

    assertThat(report.status()).isEqualTo(BisectReport.STOPPED);
    assertThat(report.note()).isEqualTo("the lane was fixed by run 120 meanwhile");
    assertThat(report.builds()).isEqualTo(2);
    assertThat(ledger.built).containsExactly(8, 12);
  }

  @Test
  void theLaneFixedSignalCancelsTheBuildInProgress() {
    ledger.script = COMMIT_11_BREAKS;
    ledger.hangOnBuild = 2;
    env.start();
    WorkflowClient.start(
        stub()::find,
        new CulpritRequest(
            FAILING_RUN, REPO, "x86_64", REPO + "#main@x86_64", sha(1), 90, sha(16)));
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(() -> running().status() != null && running().status().builds() == 2);

    running().laneFixed(130);
    // Asking for the result lets the test server skip time, which would time the hanging build's
    // workflow out if the signal had not been handled yet: wait for the end in real time first.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                history().stream()
                    .anyMatch(
                        e ->
                            e.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED));

    BisectReport report =
        client
            .newUntypedWorkflowStub(CulpritWorkflow.workflowId(FAILING_RUN))
            .getResult(BisectReport.class);
    assertThat(report.status()).isEqualTo(BisectReport.STOPPED);
    assertThat(report.note()).isEqualTo("the lane was fixed by run 130 meanwhile");
    assertThat(
            history().stream()
                .filter(
                    e ->
                        e.getEventType() == EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED))
        .hasSize(1);
  }

  @Test
  void aRunThatFailedOnTheMachineIsNotBisected() {
    ledger.original = new FailureSignature(FailureSignature.INFRASTRUCTURE, List.of());

    BisectReport report = find();

    assertThat(report.status()).isEqualTo(BisectReport.GAVE_UP);
    assertThat(report.note()).isEqualTo("run 100 failed in infrastructure, not the code");
    assertThat(ledger.built).isEmpty();
  }

  @Test
  void oneCommitAfterThePassNeedsNoBisection() {
    ledger.commits = 2;
    ledger.script = COMMIT_11_BREAKS;

    BisectReport report = find();

    assertThat(report.status()).isEqualTo(BisectReport.NOT_NEEDED);
    assertThat(ledger.built).isEmpty();
    assertThat(ledger.reports).isEmpty();
  }

  @Test
  void commitsThatCannotBeListedEndTheBisectionWithTheReason() {
    ledger.commits = -1;

    BisectReport report = find();

    assertThat(report.status()).isEqualTo(BisectReport.GAVE_UP);
    assertThat(report.note())
        .isEqualTo("could not list the commits: c01 is not a first-parent ancestor of c16");
    assertThat(ledger.built).isEmpty();
  }

  private List<HistoryEvent> history() {
    return client.fetchHistory(CulpritWorkflow.workflowId(FAILING_RUN)).getEvents();
  }

  /** The most bisect builds the workflow had started and not seen end at any moment. */
  private int maxBuildsAtOnce() {
    int open = 0;
    int max = 0;
    for (HistoryEvent event : history()) {
      switch (event.getEventType()) {
        case EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED -> max = Math.max(max, ++open);
        case EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED,
                EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED,
                EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED,
                EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED,
                EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT,
                EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED ->
            open--;
        default -> {}
      }
    }
    return max;
  }

  /** The api's side: records runs 1000, 1001, … and decides their outcomes by the script. */
  static final class FakeLedger implements CulpritActivities {
    volatile Script script = COMMIT_11_BREAKS;
    volatile int commits = 16;
    volatile int fixedAfterBuilds = Integer.MAX_VALUE;
    volatile int hangOnBuild = 0;
    volatile FailureSignature original = UNIT_FAILURE;
    final List<Integer> built = Collections.synchronizedList(new ArrayList<>());
    final List<BisectReport> reports = Collections.synchronizedList(new ArrayList<>());
    final AtomicLong nextRun = new AtomicLong(1000);

    @Override
    public RebuildRequest recordBisectBuild(long failingRunId, String sha) {
      assertThat(failingRunId).isEqualTo(FAILING_RUN);
      int commit = number(sha);
      int attempt = (int) built.stream().filter(c -> c == commit).count() + 1;
      built.add(commit);
      long runId = nextRun.getAndIncrement();
      FailureSignature outcome = script.apply(commit, attempt);
      OUTCOMES.put(runId, outcome == null ? new FailureSignature(null, List.of()) : outcome);
      if (built.size() == hangOnBuild) {
        HANGING.add(runId);
      }
      return new RebuildRequest(
          runId, REPO, sha, "x86_64", null, "low", null, List.of(), 0, null, List.of());
    }

    @Override
    public FailureSignature failureOf(long runId) {
      return runId == FAILING_RUN ? original : OUTCOMES.get(runId);
    }

    @Override
    public long laneFixedBy(long failingRunId) {
      return built.size() >= fixedAfterBuilds ? 120 : 0;
    }

    @Override
    public void report(long failingRunId, BisectReport report) {
      reports.add(report);
    }
  }

  /** The build worker's side: commits c02..c16 after c01, authored by Ada. */
  final class FakeHistory implements CommitHistoryActivities {
    @Override
    public List<CommitInfo> firstParentCommits(String repo, String goodSha, String badSha) {
      if (ledger.commits < 0) {
        throw ApplicationFailure.newNonRetryableFailure(
            goodSha + " is not a first-parent ancestor of " + badSha, "KilnNotAncestor");
      }
      List<CommitInfo> commits = new ArrayList<>();
      for (int n = number(goodSha) + 1; n <= ledger.commits; n++) {
        commits.add(new CommitInfo(sha(n), "Ada <ada@example.com>", "change " + n));
      }
      return commits;
    }
  }

  /** A bisect build: passes or fails as the ledger decided when it recorded the run. */
  public static final class ScriptedBuild implements RebuildWorkflow {
    @Override
    public RunOutcome build(RebuildRequest request) {
      if (HANGING.contains(request.runId())) {
        Workflow.await(() -> false);
      }
      FailureSignature outcome = OUTCOMES.get(request.runId());
      return outcome.step() == null
          ? RunOutcome.passed()
          : RunOutcome.failed(outcome.step() + " failed");
    }

    @Override
    public RunProgress progress() {
      return null;
    }

    @Override
    public void supersededBy(long runId) {}
  }
}
