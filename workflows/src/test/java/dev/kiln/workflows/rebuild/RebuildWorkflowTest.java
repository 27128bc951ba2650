package dev.kiln.workflows.rebuild;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.ArgumentMatchers.isNull;
import static org.mockito.Mockito.atLeastOnce;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import dev.kiln.workflows.FailureTypes;
import dev.kiln.workflows.KilnSearchAttributes;
import dev.kiln.workflows.LogSequences;
import dev.kiln.workflows.Phase;
import dev.kiln.workflows.RebuildRequest;
import dev.kiln.workflows.Result;
import dev.kiln.workflows.RunOutcome;
import dev.kiln.workflows.TaskQueues;
import dev.kiln.workflows.activities.BuildActivities;
import dev.kiln.workflows.activities.FetchActivities;
import dev.kiln.workflows.activities.FetchResult;
import dev.kiln.workflows.activities.GateRequest;
import dev.kiln.workflows.activities.GateResult;
import dev.kiln.workflows.activities.GateStatus;
import dev.kiln.workflows.activities.GateUpdate;
import dev.kiln.workflows.activities.LedgerActivities;
import dev.kiln.workflows.activities.RunRestart;
import dev.kiln.workflows.activities.StageResult;
import dev.kiln.workflows.activities.TestCounts;
import dev.kiln.workflows.plan.CommandStep;
import dev.kiln.workflows.plan.GateSpec;
import dev.kiln.workflows.plan.PipelinePlan;
import io.temporal.activity.Activity;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mockito.InOrder;

class RebuildWorkflowTest {

  static final String ARCH = "x86_64";
  static final String HOST_A = TaskQueues.host("host-a", "p1");
  static final String HOST_B = TaskQueues.host("host-b", "p2");

  static final PipelinePlan PLAN =
      new PipelinePlan(
          "kiln.yaml",
          List.of(new CommandStep("make", 600)),
          List.of("*.tar.gz"),
          List.of(
              new GateSpec("unit", "make test", List.of(), 600, true),
              new GateSpec("lint", "make lint", List.of(), 600, false),
              new GateSpec("integration", "make it", List.of(), 600, true)),
          Map.of());

  static final PipelinePlan JDK21_PLAN =
      new PipelinePlan(
          "kiln.yaml",
          List.of(new CommandStep("make", 600)),
          List.of(),
          List.of(),
          Map.of(),
          null,
          List.of("jdk21"));

  /** The marker a local activity's result is recorded in. */
  static final String LOCAL = "LocalActivity";

  TestWorkflowEnvironment env;
  WorkflowClient client;
  LedgerActivities ledger = mock(LedgerActivities.class, withSettings().withoutAnnotations());
  FetchActivities fetch = mock(FetchActivities.class, withSettings().withoutAnnotations());
  BuildActivities hostA = mock(BuildActivities.class, withSettings().withoutAnnotations());
  BuildActivities hostB = mock(BuildActivities.class, withSettings().withoutAnnotations());

  @BeforeEach
  void startEnvironment() {
    env =
        TestWorkflowEnvironment.newInstance(
            TestEnvironmentOptions.newBuilder()
                .registerSearchAttribute("KilnRepo", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD)
                .registerSearchAttribute("KilnSha", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD)
                .registerSearchAttribute("KilnPhase", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD)
                .registerSearchAttribute("KilnResult", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD)
                .build());
    client = env.getWorkflowClient();
    when(ledger.finished(anyLong(), any(), any())).thenReturn(true);
    when(hostA.stage(any())).thenReturn(new StageResult(List.of()));
    when(hostB.stage(any())).thenReturn(new StageResult(List.of()));
    when(hostA.gate(any())).thenAnswer(call -> passed(call.getArgument(0)));
    when(hostB.gate(any())).thenAnswer(call -> passed(call.getArgument(0)));
  }

  @AfterEach
  void stopEnvironment() {
    env.close();
  }

  @Test
  void aGatesStartTheHostReportedIsNotReportedAgain() {
    when(fetch.fetch(any())).thenReturn(fetched(HOST_A));
    when(hostA.gate(any()))
        .thenAnswer(
            call -> {
              GateRequest request = call.getArgument(0);
              return passed(request).withStartRecorded(request.reportsStart());
            });
    startWorkers(true);

    RunOutcome outcome = run();

    RecordedHistories.saveIfRecording(
        client, RebuildWorkflow.workflowId(7), "rebuild-passed-gate-start-by-host");
    assertThat(outcome).isEqualTo(RunOutcome.passed());
    verify(hostA, times(3)).gate(argThat(GateRequest::reportsStart));
    verify(ledger, never()).gateChanged(anyLong(), argThat(g -> g.status() == GateStatus.RUNNING));
    verify(ledger, times(3)).gateChanged(anyLong(), argThat(g -> g.status() == GateStatus.PASSED));
    List<String> scheduled =
        client.fetchHistory(RebuildWorkflow.workflowId(7)).getEvents().stream()
            .filter(HistoryEvent::hasActivityTaskScheduledEventAttributes)
            .map(e -> e.getActivityTaskScheduledEventAttributes().getActivityType().getName())
            .toList();
    assertThat(scheduled.subList(0, 4)).containsExactly("Fetch", "Compile", "Resolved", "Stage");
    // the results of the first two gates, which another gate follows, go as activities (in
    // whichever task the report thread sends them); the last one's with the terminal write
    assertThat(scheduled.subList(4, scheduled.size()))
        .containsExactlyInAnyOrder("Gate", "Gate", "Gate", "GateChanged", "GateChanged", "Cleanup");
  }

  @Test
  void passingBuildReportsEveryPhaseRunsGatesInOrderAndCleansUp() {
    when(fetch.fetch(any())).thenReturn(fetched(HOST_A));
    startWorkers(true);

    RunOutcome outcome = run();

    // rebuild-passed*.json of older versions stay beside it
    RecordedHistories.saveIfRecording(
        client, RebuildWorkflow.workflowId(7), "rebuild-passed-gate-start-unwaited");
    assertThat(outcome).isEqualTo(RunOutcome.passed());
    // the reports reach the ledger in order, the terminal write last; the first attempt's fetching
    // is its host's to report, compiling comes with the resolution
    InOrder reports = inOrder(ledger);
    reports
        .verify(ledger)
        .resolved(
            argThat(
                r ->
                    r.sha().equals("abc123")
                        && r.gates().size() == 3
                        && r.entering() == Phase.COMPILING));
    reports.verify(ledger).phaseChanged(7, Phase.STAGING);
    // the first gate's start moves the run to gating at the ledger
    reports.verify(ledger).gateChanged(eq(7L), gateUpdate("unit", GateStatus.RUNNING));
    reports.verify(ledger).gateChanged(eq(7L), gateUpdate("unit", GateStatus.PASSED));
    reports.verify(ledger).finished(7, Result.PASSED, null);
    verify(ledger, never()).phaseChanged(7, Phase.FETCHING);
    verify(ledger, never()).phaseChanged(7, Phase.COMPILING);
    verify(ledger, never()).phaseChanged(7, Phase.GATING);
    // the steps run in order, then the terminal write, with the cleanup
    InOrder steps = inOrder(hostA, ledger);
    steps.verify(hostA).compile(any());
    steps.verify(hostA).stage(any());
    steps.verify(hostA).gate(argThat(g -> g.gate().name().equals("unit")));
    steps.verify(hostA).gate(argThat(g -> g.gate().name().equals("lint")));
    steps.verify(hostA).gate(argThat(g -> g.gate().name().equals("integration")));
    steps.verify(ledger).finished(7, Result.PASSED, null);
    verify(hostA).cleanup(any());
  }

  /**
   * The result does not wait for the workspace to be put away, but the run ends only once it is:
   * the lane starts its next build when this workflow has ended.
   */
  @Test
  void theResultIsRecordedWhileTheCleanupRunsAndTheRunEndsOnlyAfterIt() throws Exception {
    CountDownLatch cleaning = new CountDownLatch(1);
    CountDownLatch cleanupMayEnd = new CountDownLatch(1);
    doAnswer(
            invocation -> {
              cleaning.countDown();
              cleanupMayEnd.await(30, TimeUnit.SECONDS);
              return null;
            })
        .when(hostA)
        .cleanup(any());
    when(fetch.fetch(any())).thenReturn(fetched(HOST_A));
    startWorkers(true);

    CompletableFuture<RunOutcome> outcome = CompletableFuture.supplyAsync(this::run);

    assertThat(cleaning.await(30, TimeUnit.SECONDS)).isTrue();
    verify(ledger, timeout(30_000)).finished(7, Result.PASSED, null);
    assertThat(outcome).as("the run ends after its cleanup").isNotDone();
    cleanupMayEnd.countDown();
    assertThat(outcome.get(30, TimeUnit.SECONDS)).isEqualTo(RunOutcome.passed());
    // a workflow that closed first would have no record of its cleanup's end
    List<HistoryEvent> history =
        client.fetchHistory(RebuildWorkflow.workflowId(7)).getHistory().getEventsList();
    long cleanupScheduled =
        history.stream()
            .filter(
                e ->
                    e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
                        && e.getActivityTaskScheduledEventAttributes()
                            .getActivityType()
                            .getName()
                            .equals("Cleanup"))
            .findFirst()
            .orElseThrow()
            .getEventId();
    assertThat(history)
        .anyMatch(
            e ->
                e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED
                    && e.getActivityTaskCompletedEventAttributes().getScheduledEventId()
                        == cleanupScheduled);
  }

  /** A plan that declares no artifacts has nothing to stage: compile, then its gates. */
  @Test
  void aPlanWithoutArtifactsGoesFromCompileStraightToItsGates() {
    PipelinePlan withoutArtifacts =
        new PipelinePlan(PLAN.origin(), PLAN.compile(), List.of(), PLAN.gates(), PLAN.env());
    when(fetch.fetch(any()))
        .thenReturn(
            new FetchResult(
                HOST_A, "host-a", "abc123", "main", "/work/7-1", "1.0.0", withoutArtifacts));
    startWorkers(true);

    RunOutcome outcome = run();

    RecordedHistories.saveIfRecording(
        client, RebuildWorkflow.workflowId(7), "rebuild-passed-no-artifacts");
    assertThat(outcome).isEqualTo(RunOutcome.passed());
    verify(hostA, never()).stage(any());
    verify(ledger, never()).phaseChanged(7, Phase.STAGING);
    InOrder steps = inOrder(hostA, ledger);
    steps.verify(hostA).compile(any());
    steps.verify(hostA).gate(argThat(g -> g.gate().name().equals("unit")));
    steps.verify(ledger).finished(7, Result.PASSED, null);
    verify(hostA).cleanup(any());
    // the gates' log ranges are where they were when every plan was staged
    verify(hostA)
        .gate(
            argThat(
                g -> g.gate().name().equals("unit") && g.logSeqBase() == LogSequences.stepBase(3)));
  }

  /**
   * The fetch and the compile do not wait for the ledger: with the api slow to answer, the build
   * goes on, and the reports still arrive in order before the terminal write.
   */
  @Test
  void theBuildDoesNotWaitForTheLedgersReports() throws Exception {
    CountDownLatch compiled = new CountDownLatch(1);
    when(fetch.fetch(any())).thenReturn(fetched(HOST_A));
    org.mockito.Mockito.doAnswer(
            call -> {
              assertThat(compiled.await(30, TimeUnit.SECONDS))
                  .as("the compile ran while the api had not yet taken the resolution")
                  .isTrue();
              return null;
            })
        .when(ledger)
        .resolved(any());
    org.mockito.Mockito.doAnswer(
            call -> {
              compiled.countDown();
              return null;
            })
        .when(hostA)
        .compile(any());
    startWorkers(true);

    RunOutcome outcome = run();

    RecordedHistories.saveIfRecording(
        client, RebuildWorkflow.workflowId(7), "rebuild-ledger-in-background");
    assertThat(outcome).isEqualTo(RunOutcome.passed());
    InOrder reports = inOrder(ledger);
    reports.verify(ledger).resolved(argThat(r -> r.entering() == Phase.COMPILING));
    reports.verify(ledger).phaseChanged(7, Phase.STAGING);
    reports.verify(ledger).finished(7, Result.PASSED, null);
  }

  /**
   * The workflow task that schedules a gate does not wait for the ledger: with the api slow to take
   * a gate's start, or the result of the gate before, the gate runs meanwhile.
   */
  @Test
  void aGateDoesNotWaitForTheReportsMadeWhereItIsScheduled() {
    CountDownLatch unitRan = new CountDownLatch(1);
    CountDownLatch lintRan = new CountDownLatch(1);
    List<GateUpdate> waitedInVain = new java.util.concurrent.CopyOnWriteArrayList<>();
    when(fetch.fetch(any())).thenReturn(fetched(HOST_A));
    org.mockito.Mockito.doAnswer(
            call -> {
              GateUpdate update = call.getArgument(1);
              CountDownLatch awaited =
                  update.name().equals("unit") && update.status() == GateStatus.RUNNING
                      ? unitRan
                      : update.name().equals("unit") ? lintRan : new CountDownLatch(0);
              // a report that holds back the gate it waits for waits in vain, until the SDK sends
              // the task's commands anyway at 80 % of the workflow task timeout (8 s)
              if (!awaited.await(5, TimeUnit.SECONDS)) {
                waitedInVain.add(update);
              }
              return null;
            })
        .when(ledger)
        .gateChanged(eq(7L), any());
    when(hostA.gate(any()))
        .thenAnswer(
            call -> {
              GateRequest gate = call.getArgument(0);
              (gate.gate().name().equals("unit") ? unitRan : lintRan).countDown();
              return passed(gate);
            });
    startWorkers(true);

    RunOutcome outcome = run();

    assertThat(outcome).isEqualTo(RunOutcome.passed());
    assertThat(waitedInVain).as("reports the next gate waited for").isEmpty();
    InOrder reports = inOrder(ledger);
    reports.verify(ledger).gateChanged(eq(7L), gateUpdate("unit", GateStatus.RUNNING));
    reports.verify(ledger).gateChanged(eq(7L), gateUpdate("unit", GateStatus.PASSED));
    reports.verify(ledger).gateChanged(eq(7L), gateUpdate("lint", GateStatus.RUNNING));
    reports.verify(ledger).finished(7, Result.PASSED, null);
  }

  /**
   * Phases, gates and the terminal write go as local activities: markers in the run's history, not
   * activity tasks. One the api does not take at once goes on as an activity, which the server
   * retries until the api takes it; the reports after it wait their turn.
   */
  @Test
  void reportsAfterTheResolutionAreLocalActivitiesAndActivitiesWhenTheApiIsAway() {
    when(fetch.fetch(any())).thenReturn(fetched(HOST_A));
    AtomicInteger stagingTries = new AtomicInteger();
    List<Boolean> stagingLocal = new java.util.concurrent.CopyOnWriteArrayList<>();
    org.mockito.Mockito.doAnswer(
            call -> {
              stagingLocal.add(Activity.getExecutionContext().getInfo().isLocal());
              if (stagingTries.incrementAndGet() < 3) {
                throw new IllegalStateException("api restarting");
              }
              return null;
            })
        .when(ledger)
        .phaseChanged(7, Phase.STAGING);
    startWorkers(true);

    RunOutcome outcome = run();

    RecordedHistories.saveIfRecording(
        client, RebuildWorkflow.workflowId(7), "rebuild-local-report-not-taken");
    assertThat(outcome).isEqualTo(RunOutcome.passed());
    assertThat(stagingLocal)
        .as("tried once locally, then retried as an activity")
        .containsExactly(true, false, false);
    InOrder reports = inOrder(ledger);
    reports.verify(ledger, times(3)).phaseChanged(7, Phase.STAGING);
    reports.verify(ledger).gateChanged(eq(7L), argThat(g -> g.status() == GateStatus.RUNNING));
    reports.verify(ledger).finished(7, Result.PASSED, null);
    List<HistoryEvent> history = client.fetchHistory(RebuildWorkflow.workflowId(7)).getEvents();
    List<String> scheduled =
        history.stream()
            .filter(HistoryEvent::hasActivityTaskScheduledEventAttributes)
            .map(e -> e.getActivityTaskScheduledEventAttributes().getActivityType().getName())
            .toList();
    // the stage did not wait for the api: only the local attempt held its task back
    assertThat(scheduled.subList(0, 5))
        .containsExactly("Fetch", "Compile", "Resolved", "Stage", "PhaseChanged");
    // the host told the ledger of no gate's start (the api away): the workflow reports each start
    // with its gate's result, as activities where another gate follows
    assertThat(scheduled.subList(5, scheduled.size()))
        .containsExactlyInAnyOrder(
            "Gate",
            "Gate",
            "Gate",
            "GateChanged",
            "GateChanged",
            "GateChanged",
            "GateChanged",
            "Cleanup");
    assertThat(
            history.stream()
                .filter(HistoryEvent::hasMarkerRecordedEventAttributes)
                .filter(e -> e.getMarkerRecordedEventAttributes().getMarkerName().equals(LOCAL)))
        .as("staging's local attempt, the last gate's start and result, the terminal write")
        .hasSize(4);
  }

  @Test
  void everyStepWritesItsLogIntoItsOwnSequenceRange() {
    when(fetch.fetch(any())).thenReturn(fetched(HOST_A));
    startWorkers(true);

    run();

    verify(fetch).fetch(argThat(r -> r.logSeqBase() == 1_000_000L));
    verify(hostA).compile(argThat(r -> r.logSeqBase() == 2_000_000L));
    verify(hostA).stage(argThat(r -> r.logSeqBase() == 3_000_000L));
    verify(hostA).gate(argThat(r -> r.logSeqBase() == 4_000_000L));
  }

  @Test
  void compileFailureFailsTheRunWithItsSummarySkipsGatesAndStillCleansUp() {
    when(fetch.fetch(any())).thenReturn(fetched(HOST_A));
    org.mockito.Mockito.doThrow(
            ApplicationFailure.newNonRetryableFailure(
                "src/main.c:3:5: error: expected ';' before '}' token",
                FailureTypes.COMPILE_FAILED))
        .when(hostA)
        .compile(any());
    startWorkers(true);

    RunOutcome outcome = run();

    RecordedHistories.saveIfRecording(
        client, RebuildWorkflow.workflowId(7), "rebuild-compile-failed-local-reports");
    assertThat(outcome.result()).isEqualTo(Result.FAILED);
    assertThat(outcome.failureSummary())
        .isEqualTo("src/main.c:3:5: error: expected ';' before '}' token");
    verify(hostA, never()).stage(any());
    verify(hostA, never()).gate(any());
    verify(ledger, times(3)).gateChanged(eq(7L), argThat(u -> u.status() == GateStatus.SKIPPED));
    verify(hostA).cleanup(any());
    verify(ledger).finished(7, Result.FAILED, outcome.failureSummary());
  }

  @Test
  void failedRequiredGateFailsTheRunAndBlocksTheGatesAfterIt() {
    when(fetch.fetch(any())).thenReturn(fetched(HOST_A));
    when(hostA.gate(argThat(g -> g != null && g.gate().name().equals("unit"))))
        .thenReturn(
            new GateResult(
                "unit",
                false,
                "3 of 212 tests failed: FooTest.bar, FooTest.baz, BarTest.qux",
                new TestCounts(212, 3, 0)));
    startWorkers(true);

    RunOutcome outcome = run();

    RecordedHistories.saveIfRecording(client, RebuildWorkflow.workflowId(7), "rebuild-gate-failed");
    assertThat(outcome)
        .isEqualTo(
            RunOutcome.failed(
                "gate unit failed: 3 of 212 tests failed: FooTest.bar, FooTest.baz, BarTest.qux"));
    verify(hostA, times(1)).gate(any());
    verify(ledger)
        .gateChanged(
            eq(7L), argThat(u -> u.name().equals("lint") && u.status() == GateStatus.BLOCKED));
    verify(ledger)
        .gateChanged(
            eq(7L),
            argThat(u -> u.name().equals("integration") && u.status() == GateStatus.BLOCKED));
  }

  @Test
  void failedOptionalGateIsReportedButTheRunPasses() {
    when(fetch.fetch(any())).thenReturn(fetched(HOST_A));
    when(hostA.gate(argThat(g -> g != null && g.gate().name().equals("lint"))))
        .thenReturn(new GateResult("lint", false, "2 warnings treated as errors", null));
    startWorkers(true);

    RunOutcome outcome = run();

    assertThat(outcome).isEqualTo(RunOutcome.passed());
    verify(hostA, times(3)).gate(any());
    verify(ledger)
        .gateChanged(
            eq(7L), argThat(u -> u.name().equals("lint") && u.status() == GateStatus.FAILED));
  }

  @Test
  void refThatDoesNotExistFailsTheRunWithoutTouchingAHost() {
    when(fetch.fetch(any()))
        .thenThrow(
            ApplicationFailure.newNonRetryableFailure(
                "ref not found: feature/x", FailureTypes.REF_NOT_FOUND));
    startWorkers(true);

    RunOutcome outcome = run();

    assertThat(outcome).isEqualTo(RunOutcome.failed("ref not found: feature/x"));
    verify(fetch, times(1)).fetch(any());
    verify(hostA, never()).cleanup(any());
    verify(ledger).finished(7, Result.FAILED, "ref not found: feature/x");
  }

  @Test
  void lostHostRestartsTheRunFromFetchOnAnotherHost() {
    // host-a's queue has no poller: its compile is never picked up, as when the host died.
    when(fetch.fetch(any())).thenReturn(fetched(HOST_A), fetched(HOST_B));
    startWorkers(false);

    RunOutcome outcome = run();

    // rebuild-host-lost.json is the history from before the restart note, -noted from before
    // reports went to the background and the host timeouts shortened, -fast from before the
    // fetch's heartbeat timeout followed the host's, -fast-fetch from before the leaner reports:
    // keep them all
    RecordedHistories.saveIfRecording(
        client, RebuildWorkflow.workflowId(7), "rebuild-host-lost-local-reports");
    assertThat(outcome).isEqualTo(RunOutcome.passed());
    verify(fetch, times(2)).fetch(any());
    verify(hostB).compile(any());
    verify(hostB).cleanup(any());
    // the first attempt's fetching is reported by its host; the restart's sets the run queued again
    verify(ledger, times(1)).phaseChanged(7, Phase.FETCHING);
  }

  @Test
  void restartIsReportedWithTheNewAndTheLostHostAndItsOwnLogRange() {
    when(fetch.fetch(any())).thenReturn(fetched(HOST_A), fetched(HOST_B));
    org.mockito.Mockito.doThrow(
            ApplicationFailure.newFailure("host-a lost", FailureTypes.HOST_LOST))
        .when(hostA)
        .compile(any());
    startWorkers(true);

    run();

    org.mockito.ArgumentCaptor<RunRestart> restart =
        org.mockito.ArgumentCaptor.forClass(RunRestart.class);
    InOrder reports = inOrder(ledger);
    reports
        .verify(ledger)
        .resolved(argThat(r -> r.host().equals("host-b") && r.entering() == Phase.COMPILING));
    reports.verify(ledger).restarted(restart.capture());
    reports.verify(ledger).finished(7, Result.PASSED, null);
    verify(hostB).compile(any());
    assertThat(restart.getValue().note())
        .isEqualTo("restarted on host-b: previous host lost (host-a)");
    assertThat(restart.getValue().attempt()).isEqualTo(2);
    // first attempt: fetch 1M, compile 2M; the note 3M; second attempt from 4M on, so the log
    // keeps both attempts side by side
    assertThat(restart.getValue().logSeq()).isEqualTo(3_000_000L);
    verify(fetch).fetch(argThat(r -> r.logSeqBase() == 1_000_000L));
    verify(fetch).fetch(argThat(r -> r.logSeqBase() == 4_000_000L));
    verify(hostB).compile(argThat(r -> r.logSeqBase() == 5_000_000L));
  }

  @Test
  void aRestartedAttemptIsMadeCurrentAtTheLedgerBeforeItsFetchAndEveryStepCarriesItsAttempt() {
    // host-a's queue has no poller: its compile is never picked up, as when the host was cut off.
    when(fetch.fetch(any())).thenReturn(fetched(HOST_A), fetched(HOST_B));
    startWorkers(false);

    RunOutcome outcome = run();

    RecordedHistories.saveIfRecording(
        client, RebuildWorkflow.workflowId(7), "rebuild-host-lost-fenced");
    assertThat(outcome).isEqualTo(RunOutcome.passed());
    InOrder order = inOrder(fetch, ledger, hostB);
    order.verify(fetch).fetch(argThat(r -> r.attempt() == 1));
    order.verify(ledger).attemptStarted(7, 2);
    order.verify(fetch).fetch(argThat(r -> r.attempt() == 2));
    order.verify(hostB).compile(argThat(r -> r.run().attempt() == 2));
    order.verify(hostB).stage(argThat(r -> r.run().attempt() == 2));
    order.verify(hostB, atLeastOnce()).gate(argThat(r -> r.run().attempt() == 2));
    verify(ledger, times(1)).attemptStarted(anyLong(), org.mockito.ArgumentMatchers.anyInt());
  }

  @Test
  void aRunThatNeverLostItsHostRunsAsAttemptOneAndReportsNoAttempt() {
    when(fetch.fetch(any())).thenReturn(fetched(HOST_A));
    startWorkers(true);

    run();

    verify(fetch).fetch(argThat(r -> r.attempt() == 1));
    verify(hostA).compile(argThat(r -> r.run().attempt() == 1));
    verify(ledger, never()).attemptStarted(anyLong(), org.mockito.ArgumentMatchers.anyInt());
  }

  @Test
  void aRunThatWasNeverRestartedReportsNoRestart() {
    when(fetch.fetch(any())).thenReturn(fetched(HOST_A));
    startWorkers(true);

    run();

    verify(ledger, never()).restarted(any());
  }

  /**
   * The no-worker limit is for an arch nobody serves. After a lost host the arch was served moments
   * ago; the other worker may be restarting too, so the run waits past the limit.
   */
  @Test
  void aRestartedRunWaitsForAWorkerPastTheNoWorkerTimeout() throws Exception {
    // The arch's only worker runs in a factory of its own, so that it can really go away.
    io.temporal.worker.WorkerFactory firstLife =
        io.temporal.worker.WorkerFactory.newInstance(client);
    java.util.concurrent.ScheduledExecutorService later =
        java.util.concurrent.Executors.newScheduledThreadPool(2);
    java.util.concurrent.atomic.AtomicLong cameBackAt =
        new java.util.concurrent.atomic.AtomicLong();
    when(fetch.fetch(any()))
        .thenAnswer(
            call -> {
              // it finishes this fetch (graceful shutdown), then polls no more for 6 s
              later.execute(firstLife::shutdown);
              later.schedule(
                  () -> {
                    io.temporal.worker.WorkerFactory secondLife =
                        io.temporal.worker.WorkerFactory.newInstance(client);
                    secondLife
                        .newWorker(TaskQueues.build(ARCH))
                        .registerActivitiesImplementations(fetch);
                    cameBackAt.set(System.nanoTime());
                    secondLife.start();
                  },
                  6,
                  java.util.concurrent.TimeUnit.SECONDS);
              return fetched(HOST_A);
            })
        .thenReturn(fetched(HOST_B));
    org.mockito.Mockito.doThrow(
            ApplicationFailure.newFailure("host-a lost", FailureTypes.HOST_LOST))
        .when(hostA)
        .compile(any());
    startControlAndHostsWithoutAFetchWorker();
    firstLife.newWorker(TaskQueues.build(ARCH)).registerActivitiesImplementations(fetch);
    firstLife.start();
    RebuildRequest limited =
        new RebuildRequest(
            7, "https://example.com/repo.git", "main", ARCH, null, "normal", null, List.of(), 2);

    RunOutcome outcome;
    try {
      outcome = newWorkflow().build(limited);
    } finally {
      later.shutdownNow();
    }

    assertThat(cameBackAt.get()).as("the worker came back before the run ended").isPositive();
    assertThat(outcome).isEqualTo(RunOutcome.passed());
    verify(hostB).compile(any());
  }

  @Test
  void cancellingDuringCompileWaitsForTheCommandThenCleansUpAndRecordsCancelled() throws Exception {
    when(fetch.fetch(any())).thenReturn(fetched(HOST_A));
    CountDownLatch compiling = new CountDownLatch(1);
    org.mockito.Mockito.doAnswer(
            call -> {
              compiling.countDown();
              var context = io.temporal.activity.Activity.getExecutionContext();
              while (true) {
                context.heartbeat(null);
                Thread.onSpinWait();
                TimeUnit.MILLISECONDS.sleep(50);
              }
            })
        .when(hostA)
        .compile(any());

    cancelOnceCompilingAndExpectCancelled(compiling, "rebuild-cancelled-local-reports");

    verify(hostA, never()).stage(any());
  }

  /**
   * A cancel reaches the command through the host's stop at once: the compile below never
   * heartbeats, so Temporal's own cancel could not reach it before its heartbeat timed out.
   */
  @Test
  void cancellingDuringCompileAsksTheHostToStopItsCommandsAtOnce() throws Exception {
    when(fetch.fetch(any())).thenReturn(fetched(HOST_A));
    CountDownLatch compiling = new CountDownLatch(1);
    CountDownLatch stopped = new CountDownLatch(1);
    org.mockito.Mockito.doAnswer(
            call -> {
              stopped.countDown();
              return null;
            })
        .when(hostA)
        .stop(7);
    org.mockito.Mockito.doAnswer(
            call -> {
              compiling.countDown();
              if (!stopped.await(4, TimeUnit.SECONDS)) {
                throw new IllegalStateException("not stopped");
              }
              throw ApplicationFailure.newNonRetryableFailure(
                  "compile stopped: the run was cancelled", FailureTypes.STOPPED);
            })
        .when(hostA)
        .compile(any());

    cancelOnceCompilingAndExpectCancelled(compiling, "rebuild-cancelled-cancel-pushed");

    verify(hostA).stop(7);
  }

  /** A gate report naming {@code gate} with {@code status}. */
  private static GateUpdate gateUpdate(String gate, GateStatus status) {
    return argThat(g -> g.name().equals(gate) && g.status() == status);
  }

  /**
   * Starts the run, cancels it once {@code compiling} says its compile runs, and checks that it
   * ended cancelled, recorded so, with its workspace cleaned up.
   */
  private void cancelOnceCompilingAndExpectCancelled(CountDownLatch compiling, String history)
      throws InterruptedException {
    startWorkers(true);
    WorkflowStub stub = WorkflowStub.fromTyped(newWorkflow());
    stub.start(request());
    assertThat(compiling.await(30, TimeUnit.SECONDS)).isTrue();

    stub.cancel();

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> stub.getResult(RunOutcome.class))
        .isInstanceOf(WorkflowFailedException.class)
        .hasCauseInstanceOf(CanceledFailure.class);
    RecordedHistories.saveIfRecording(client, RebuildWorkflow.workflowId(7), history);
    verify(hostA).cleanup(any());
    verify(ledger).finished(7, Result.CANCELLED, "cancelled");
  }

  @Test
  void aRunWhoseStepsAreOverAsksNoHostToStop() {
    when(fetch.fetch(any())).thenReturn(fetched(HOST_A));
    startWorkers(true);

    assertThat(run()).isEqualTo(RunOutcome.passed());

    verify(hostA, never()).stop(anyLong());
  }

  @Test
  void cancellingWhileFetchingRecordsCancelledInsteadOfLeavingTheRunBuilding() throws Exception {
    CountDownLatch fetching = new CountDownLatch(1);
    when(fetch.fetch(any()))
        .thenAnswer(
            call -> {
              fetching.countDown();
              var context = io.temporal.activity.Activity.getExecutionContext();
              while (true) {
                context.heartbeat(null);
                TimeUnit.MILLISECONDS.sleep(50);
              }
            });
    startWorkers(true);
    WorkflowStub stub = WorkflowStub.fromTyped(newWorkflow());
    stub.start(request());
    assertThat(fetching.await(30, TimeUnit.SECONDS)).isTrue();

    stub.cancel();

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> stub.getResult(RunOutcome.class))
        .isInstanceOf(WorkflowFailedException.class);
    verify(ledger).finished(7, Result.CANCELLED, "cancelled");
    verify(ledger, never()).finished(7, Result.FAILED, "");
    verify(hostA, never()).cleanup(any());
  }

  /**
   * The race of a burst of supersedes: the host took the fetch before the cancel reached it and
   * fetched without noticing. The run waits for the fetch to end and frees what it made on that
   * host, instead of ending at once and leaving the host's slot and workspace to nobody.
   */
  @ParameterizedTest(name = "no-worker watch {0}")
  @ValueSource(booleans = {false, true})
  void aRunCancelledWhileTheHostFetchesWaitsForTheFetchAndCleansUpWhatItMade(boolean watched)
      throws Exception {
    CountDownLatch fetching = new CountDownLatch(1);
    CountDownLatch cancelled = new CountDownLatch(1);
    when(fetch.fetch(any()))
        .thenAnswer(
            call -> {
              fetching.countDown();
              assertThat(cancelled.await(30, TimeUnit.SECONDS)).isTrue();
              return fetched(HOST_A); // never heartbeated: it did not hear of the cancel
            });
    startWorkers(true);
    WorkflowStub stub = WorkflowStub.fromTyped(newWorkflow());
    stub.start(watched ? withNoWorkerTimeout(Duration.ofMinutes(5)) : request());
    assertThat(fetching.await(30, TimeUnit.SECONDS)).isTrue();

    stub.cancel();
    // Let the fetch end only once its cancel is in the history: the test server, unlike the real
    // one, refuses a cancel of an activity that completed while the cancelling task was in flight.
    awaitEvent(EventType.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED);
    cancelled.countDown();

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> stub.getResult(RunOutcome.class))
        .isInstanceOf(WorkflowFailedException.class)
        .hasCauseInstanceOf(CanceledFailure.class);
    if (!watched) {
      RecordedHistories.saveIfRecording(
          client, RebuildWorkflow.workflowId(7), "rebuild-cancelled-while-fetching");
    }
    InOrder order = inOrder(hostA, ledger);
    order.verify(hostA).cleanup(argThat(c -> c.workspace().equals("/work/7-1")));
    order.verify(ledger).finished(7, Result.CANCELLED, "cancelled");
    verify(hostA, never()).compile(any());
    verify(ledger, never()).resolved(any());
  }

  /**
   * The no-worker check said nobody serves the arch just as a host took the fetch: the fetch is
   * waited for, and the run builds with it instead of failing and leaving its workspace behind.
   */
  @Test
  void aFetchTakenJustAsTheNoWorkerCheckGivesUpIsBuiltNotAbandoned() throws Exception {
    CountDownLatch fetching = new CountDownLatch(1);
    when(fetch.fetch(any()))
        .thenAnswer(
            call -> {
              fetching.countDown();
              // done just after the workflow asked to cancel it (see awaitEvent)
              awaitEvent(EventType.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED);
              return fetched(HOST_A);
            });
    when(ledger.archServed(ARCH))
        .thenAnswer(
            call -> {
              assertThat(fetching.await(30, TimeUnit.SECONDS)).isTrue();
              return false; // the host reports came in before this one started fetching
            });
    startWorkers(true);

    RunOutcome outcome = newWorkflow().build(withNoWorkerTimeout(Duration.ofSeconds(1)));

    assertThat(outcome).isEqualTo(RunOutcome.passed());
    verify(hostA).compile(any());
    verify(hostA).cleanup(any());
  }

  @Test
  void aFailedOptionalGateActivityDoesNotFailTheRun() {
    when(fetch.fetch(any())).thenReturn(fetched(HOST_A));
    when(hostA.gate(argThat(g -> g != null && g.gate().name().equals("lint"))))
        .thenThrow(new IllegalStateException("lint tool crashed"));
    startWorkers(true);

    RunOutcome outcome = run();

    assertThat(outcome).isEqualTo(RunOutcome.passed());
    verify(hostA, times(3)).gate(any());
  }

  @Test
  void aWorkerShuttingDownMidCompileRestartsTheRunOnAnotherHost() {
    when(fetch.fetch(any())).thenReturn(fetched(HOST_A), fetched(HOST_B));
    org.mockito.Mockito.doThrow(
            ApplicationFailure.newFailure(
                "worker on host-a shut down during compile", FailureTypes.HOST_LOST))
        .when(hostA)
        .compile(any());
    startWorkers(true);

    RunOutcome outcome = run();

    assertThat(outcome).isEqualTo(RunOutcome.passed());
    verify(hostB).compile(any());
    verify(hostA, never()).cleanup(any());
  }

  @Test
  void searchAttributesFollowTheRun() {
    when(fetch.fetch(any())).thenReturn(fetched(HOST_A));
    startWorkers(true);
    RebuildWorkflow workflow = newWorkflow();

    workflow.build(request());

    var attributes =
        client
            .newUntypedWorkflowStub(RebuildWorkflow.workflowId(7))
            .describe()
            .getTypedSearchAttributes();
    assertThat(attributes.get(KilnSearchAttributes.SHA)).isEqualTo("abc123");
    assertThat(attributes.get(KilnSearchAttributes.PHASE)).isEqualTo("done");
    assertThat(attributes.get(KilnSearchAttributes.RESULT)).isEqualTo("passed");
    verify(ledger, atLeastOnce()).phaseChanged(eq(7L), any());
    verify(ledger, never()).finished(anyLong(), eq(Result.FAILED), isNull());
  }

  /**
   * The test server does not skip time over a schedule-to-start timeout (the lost-host case waits
   * its 30 s for real), so this uses a short limit; {@link DurationsTest} covers "5m".
   */
  @Test
  void aRunForAnArchitectureNoWorkerServesFailsAfterTheNoWorkerTimeout() {
    startWorkers(true);
    RebuildRequest riscv =
        new RebuildRequest(
            7,
            "https://example.com/repo.git",
            "main",
            "riscv64",
            null,
            "normal",
            null,
            List.of(),
            2);

    RunOutcome outcome = newWorkflow().build(riscv);

    assertThat(outcome).isEqualTo(RunOutcome.failed("no worker for arch riscv64 within 2s"));
    verify(ledger).archServed("riscv64");
    verify(ledger).finished(7, Result.FAILED, "no worker for arch riscv64 within 2s");
    verify(fetch, never()).fetch(any());
    verify(ledger, never()).resolved(any());
    RecordedHistories.saveIfRecording(client, RebuildWorkflow.workflowId(7), "rebuild-no-worker");
  }

  /**
   * Every worker of the arch holds all its slots, so none polls: the run outlasts the no-worker
   * timeout as long as a worker is known to serve the arch, and builds once one takes its fetch.
   */
  @Test
  void aRunWaitingBehindBusyWorkersOutlastsTheNoWorkerTimeout() {
    io.temporal.worker.WorkerFactory freed = io.temporal.worker.WorkerFactory.newInstance(client);
    freed.newWorker(TaskQueues.build(ARCH)).registerActivitiesImplementations(fetch);
    when(fetch.fetch(any())).thenReturn(fetched(HOST_A));
    java.util.concurrent.atomic.AtomicInteger asked =
        new java.util.concurrent.atomic.AtomicInteger();
    when(ledger.archServed(ARCH))
        .thenAnswer(
            call -> {
              if (asked.incrementAndGet() == 3) {
                freed.start(); // a slot frees up: the worker polls again
              }
              return true;
            });
    startControlAndHostsWithoutAFetchWorker();
    RebuildRequest limited =
        new RebuildRequest(
            7, "https://example.com/repo.git", "main", ARCH, null, "normal", null, List.of(), 2);

    RunOutcome outcome;
    try {
      outcome = newWorkflow().build(limited);
    } finally {
      freed.shutdownNow();
    }

    assertThat(outcome).isEqualTo(RunOutcome.passed());
    assertThat(asked.get()).as("checks whether the arch is served").isGreaterThanOrEqualTo(3);
    verify(hostA).compile(any());
    RecordedHistories.saveIfRecording(
        client, RebuildWorkflow.workflowId(7), "rebuild-waited-behind-busy-workers");
  }

  @Test
  void aFetchThatAWorkerTakesIsNotLimitedByTheNoWorkerTimeout() {
    when(fetch.fetch(any())).thenReturn(fetched(HOST_A));
    startWorkers(true);
    RebuildRequest limited =
        new RebuildRequest(
            7,
            "https://example.com/repo.git",
            "main",
            ARCH,
            null,
            "normal",
            null,
            List.of(),
            Duration.ofMinutes(5).toSeconds());

    RunOutcome outcome = newWorkflow().build(limited);

    assertThat(outcome).isEqualTo(RunOutcome.passed());
  }

  /**
   * kiln.yaml requires a label host A lacks: host A's fetch hands the run over (it removed its
   * workspace itself), the ledger learns the label, and the commit host A resolved is fetched again
   * on the queue of the arch and the label, where host B builds it, keeping the branch.
   */
  @Test
  void aPlanRequiringALabelTheFetchingHostLacksMovesToAHostWithItAndBuildsThere() {
    FetchActivities labelled = mock(FetchActivities.class, withSettings().withoutAnnotations());
    when(fetch.fetch(any()))
        .thenReturn(
            new FetchResult(
                HOST_A, "host-a", "abc123", "main", "/work/7-1", "1.0.0", JDK21_PLAN, List.of()));
    when(labelled.fetch(any()))
        .thenReturn(
            new FetchResult(
                HOST_B,
                "host-b",
                "abc123",
                null,
                "/work/7-1",
                "1.0.0",
                JDK21_PLAN,
                List.of("cmake", "jdk21")));
    when(ledger.servedWithLabels(ARCH, List.of("jdk21"))).thenReturn(true);
    env.newWorker(TaskQueues.build(ARCH, List.of("jdk21")))
        .registerActivitiesImplementations(labelled);
    startWorkers(true);

    RunOutcome outcome = run();

    assertThat(outcome).isEqualTo(RunOutcome.passed());
    InOrder order = inOrder(ledger, labelled, hostB);
    order.verify(ledger).requiresLabels(7, List.of("jdk21"));
    order.verify(ledger).servedWithLabels(ARCH, List.of("jdk21"));
    order.verify(labelled).fetch(argThat(f -> "abc123".equals(f.ref())));
    order.verify(hostB).compile(any());
    verify(ledger).resolved(argThat(r -> r.host().equals("host-b") && "main".equals(r.branch())));
    verify(hostA, never()).compile(any());
    verify(hostA, never()).cleanup(any());
    verify(hostB).cleanup(any());
    RecordedHistories.saveIfRecording(
        client, RebuildWorkflow.workflowId(7), "rebuild-kiln-yaml-requires");
  }

  @Test
  void aPlanRequiringALabelNoLiveHostHasFailsAtOnceNamingTheArchAndLabels() {
    when(fetch.fetch(any()))
        .thenReturn(
            new FetchResult(
                HOST_A, "host-a", "abc123", "main", "/work/7-1", "1.0.0", JDK21_PLAN, List.of()));
    when(ledger.servedWithLabels(any(), any())).thenReturn(false);
    startWorkers(true);

    RunOutcome outcome = newWorkflow().build(withNoWorkerTimeout(Duration.ofMinutes(5)));

    assertThat(outcome).isEqualTo(RunOutcome.failed("no worker for x86_64 with labels [jdk21]"));
    verify(ledger).finished(7, Result.FAILED, "no worker for x86_64 with labels [jdk21]");
    verify(fetch, times(1)).fetch(any());
    verify(hostA, never()).compile(any());
    verify(ledger, never()).resolved(any());
  }

  /**
   * The control worker (workflow, ledger) and both hosts; the arch's fetch worker is the test's.
   */
  private void startControlAndHostsWithoutAFetchWorker() {
    registerControl();
    env.newWorker(HOST_A).registerActivitiesImplementations(hostA);
    env.newWorker(HOST_B).registerActivitiesImplementations(hostB);
    env.start();
  }

  private void registerControl() {
    Worker control = env.newWorker(TaskQueues.CONTROL);
    control.registerWorkflowImplementationTypes(RebuildWorkflowImpl.class);
    control.registerActivitiesImplementations(ledger);
  }

  private void startWorkers(boolean hostAAlive) {
    registerControl();
    env.newWorker(TaskQueues.build(ARCH)).registerActivitiesImplementations(fetch);
    if (hostAAlive) {
      env.newWorker(HOST_A).registerActivitiesImplementations(hostA);
    }
    env.newWorker(HOST_B).registerActivitiesImplementations(hostB);
    env.start();
  }

  private RunOutcome run() {
    return newWorkflow().build(request());
  }

  private RebuildWorkflow newWorkflow() {
    return client.newWorkflowStub(
        RebuildWorkflow.class,
        WorkflowOptions.newBuilder()
            .setWorkflowId(RebuildWorkflow.workflowId(7))
            .setTaskQueue(TaskQueues.CONTROL)
            .setWorkflowExecutionTimeout(Duration.ofHours(2))
            .build());
  }

  private void awaitEvent(EventType type) {
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                client.fetchHistory(RebuildWorkflow.workflowId(7)).getEvents().stream()
                    .anyMatch(e -> e.getEventType() == type));
  }

  static RebuildRequest withNoWorkerTimeout(Duration timeout) {
    return new RebuildRequest(
        7,
        "https://example.com/repo.git",
        "main",
        ARCH,
        null,
        "normal",
        null,
        List.of(),
        timeout.toSeconds());
  }

  static RebuildRequest request() {
    return new RebuildRequest(
        7, "https://example.com/repo.git", "main", ARCH, null, "normal", null, List.of(), 0);
  }

  static FetchResult fetched(String hostQueue) {
    String host = hostQueue.equals(HOST_A) ? "host-a" : "host-b";
    return new FetchResult(hostQueue, host, "abc123", "main", "/work/7-1", "1.0.0", PLAN);
  }

  static GateResult passed(dev.kiln.workflows.activities.GateRequest request) {
    if (request == null) {
      return null;
    }
    return new GateResult(
        request.gate().name(), true, "10 tests, 0 failed", new TestCounts(10, 0, 0));
  }
}
