package dev.kiln.workflows.lane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import dev.kiln.workflows.KilnSearchAttributes;
import dev.kiln.workflows.RebuildRequest;
import dev.kiln.workflows.Result;
import dev.kiln.workflows.RunOutcome;
import dev.kiln.workflows.SupersedePolicy;
import dev.kiln.workflows.TaskQueues;
import dev.kiln.workflows.activities.BuildActivities;
import dev.kiln.workflows.activities.CleanupRequest;
import dev.kiln.workflows.activities.CompileRequest;
import dev.kiln.workflows.activities.FetchActivities;
import dev.kiln.workflows.activities.FetchRequest;
import dev.kiln.workflows.activities.FetchResult;
import dev.kiln.workflows.activities.GateRequest;
import dev.kiln.workflows.activities.GateResult;
import dev.kiln.workflows.activities.LedgerActivities;
import dev.kiln.workflows.activities.StageResult;
import dev.kiln.workflows.activities.TestCounts;
import dev.kiln.workflows.plan.CommandStep;
import dev.kiln.workflows.plan.GateSpec;
import dev.kiln.workflows.plan.PipelinePlan;
import dev.kiln.workflows.rebuild.RebuildWorkflow;
import dev.kiln.workflows.rebuild.RebuildWorkflowImpl;
import dev.kiln.workflows.rebuild.RecordedHistories;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.client.ActivityCompletionException;
import io.temporal.client.BatchRequest;
import io.temporal.client.UpdateOptions;
import io.temporal.client.WithStartWorkflowOperation;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.client.WorkflowUpdateStage;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LaneWorkflowTest {

  static final String LANE = "https://example.com/repo.git#main@x86_64";
  static final String REPO = "https://example.com/repo.git";
  static final String ARCH = "x86_64";
  static final String HOST_A = TaskQueues.host("host-a", "p1");

  static final PipelinePlan PLAN =
      new PipelinePlan(
          "kiln.yaml",
          List.of(new CommandStep("make", 600)),
          List.of(),
          List.of(new GateSpec("unit", "make test", List.of(), 600, true)),
          Map.of());

  TestWorkflowEnvironment env;
  WorkflowClient client;
  LedgerActivities ledger = mock(LedgerActivities.class, withSettings().withoutAnnotations());
  FetchActivities fetch = mock(FetchActivities.class, withSettings().withoutAnnotations());
  BuildActivities hostA = mock(BuildActivities.class, withSettings().withoutAnnotations());

  /** Everything the activities saw, in order: {@code fetch:1}, {@code compile:1}, … */
  final List<String> events = Collections.synchronizedList(new ArrayList<>());

  /** Terminal result per run, first write wins (as in the api): {@code aborted: superseded…}. */
  final Map<Long, String> terminal = new ConcurrentHashMap<>();

  final Map<Long, CountDownLatch> compileStarted = new ConcurrentHashMap<>();
  final Map<Long, CountDownLatch> compileCancelled = new ConcurrentHashMap<>();

  /** Runs whose compile heartbeats until it is cancelled. */
  final java.util.Set<Long> compileUntilCancelled = ConcurrentHashMap.newKeySet();

  /** How long any other compile takes. */
  volatile long compileMillis;

  /** A cancelled compile waits for this before it acknowledges the cancellation. */
  volatile CountDownLatch cancelAcknowledged = new CountDownLatch(0);

  int maxBuildsPerRun;

  @BeforeEach
  void startEnvironment() {
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
    when(ledger.finished(anyLong(), any(), any()))
        .thenAnswer(
            call -> {
              Result result = call.getArgument(1);
              String summary = call.getArgument(2);
              return recordTerminal(
                  call.getArgument(0), result.wireName() + (summary == null ? "" : ": " + summary));
            });
    when(ledger.superseded(anyLong(), anyLong()))
        .thenAnswer(
            call -> {
              RunOutcome outcome = RunOutcome.superseded(call.getArgument(1));
              return recordTerminal(
                  call.getArgument(0),
                  outcome.result().wireName() + ": " + outcome.failureSummary());
            });
    when(fetch.fetch(any()))
        .thenAnswer(
            call -> {
              FetchRequest request = call.getArgument(0);
              events.add("fetch:" + request.runId());
              return new FetchResult(
                  HOST_A,
                  "host-a",
                  "sha" + request.runId(),
                  "main",
                  "/work/" + request.runId(),
                  "1.0.0",
                  PLAN);
            });
    doAnswer(call -> compile(call.getArgument(0))).when(hostA).compile(any());
    when(hostA.stage(any())).thenReturn(new StageResult(List.of()));
    when(hostA.gate(any())).thenAnswer(call -> passed(call.getArgument(0)));
    doAnswer(
            call -> {
              CleanupRequest request = call.getArgument(0);
              events.add("cleanup:" + request.runId());
              return null;
            })
        .when(hostA)
        .cleanup(any());
  }

  @AfterEach
  void stopEnvironment() {
    env.close();
  }

  @Test
  void oneRequestBuildsPassesAndTheIdleLaneCompletes() {
    startWorkers();

    LaneAdmission admission = submit(1);

    assertThat(admission).isEqualTo(new LaneAdmission(1, LANE, "kiln-run-1", null));
    // The admission names the run's workflow; the lane starts it in its next workflow task.
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreException(WorkflowNotFoundException.class)
        .until(
            () -> client.newUntypedWorkflowStub(RebuildWorkflow.workflowId(1)).describe() != null);
    RunOutcome outcome =
        client.newUntypedWorkflowStub(RebuildWorkflow.workflowId(1)).getResult(RunOutcome.class);
    assertThat(outcome).isEqualTo(RunOutcome.passed());
    assertThat(terminal).containsExactly(Map.entry(1L, "passed"));
    // the result is recorded while the workspace is cleaned up: which of the two comes first
    // depends on whether the reports made before the result (the resolution) had gone
    assertThat(events.subList(0, 3)).containsExactly("fetch:1", "compile:1", "compiled:1");
    assertThat(events.subList(3, events.size()))
        .containsExactlyInAnyOrder("finished:1", "cleanup:1");
    var attributes =
        client
            .newUntypedWorkflowStub(RebuildWorkflow.workflowId(1))
            .describe()
            .getTypedSearchAttributes();
    assertThat(attributes.get(KilnSearchAttributes.RUN_ID)).isEqualTo(1L);
    assertThat(attributes.get(KilnSearchAttributes.REPO)).isEqualTo(REPO);
    assertThat(attributes.get(KilnSearchAttributes.RESULT)).isEqualTo("passed");
    // nothing more to do: the lane completes after the idle timeout (skipped by the test server)
    client.newUntypedWorkflowStub(LaneWorkflow.workflowId(LANE)).getResult(Void.class);
  }

  @Test
  void submitReturnsTheAdmissionWhileTheBuildIsStillRunning() throws Exception {
    compileUntilCancelled.add(1L);
    startWorkers();

    LaneAdmission first = submit(1);

    assertThat(first.building()).isNull();
    awaitLatch(started(1));
    assertThat(terminal).isEmpty();
    assertThat(laneStatus().building()).isEqualTo(1L);
    LaneAdmission second = submit(2);
    assertThat(second).isEqualTo(new LaneAdmission(2, LANE, "kiln-run-2", 1L));
    awaitTerminal(1, 2);
  }

  @Test
  void retriedSubmitGetsTheSameAdmissionAndTheValidatorRejectsDuplicatesAndOtherLanes() {
    compileUntilCancelled.add(1L);
    startWorkers();
    LaneAdmission first = submit(1);

    // the api retrying: same update id, so Temporal answers with the first admission
    assertThat(submit(request(1), "1")).isEqualTo(first);
    // the same run under another update id (as after continue-as-new, which forgets update ids)
    // SDK 1.38 replaces a validator's failure type with its own; the message comes through
    assertThatThrownBy(() -> submit(request(1), "1-again"))
        .isInstanceOf(WorkflowUpdateException.class)
        .cause()
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            f ->
                assertThat(f.getOriginalMessage())
                    .isEqualTo("lane " + LANE + " already took run 1"));
    RebuildRequest otherArch =
        new RebuildRequest(3, REPO, "main", "aarch64", null, "normal", null, List.of(), 0);
    assertThatThrownBy(() -> submit(otherArch, "3"))
        .isInstanceOf(WorkflowUpdateException.class)
        .cause()
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            f -> assertThat(f.getOriginalMessage()).contains("does not belong in lane " + LANE));
    assertThat(laneStatus().pending()).isEmpty();
    assertThat(laneStatus().building()).isEqualTo(1L);
    enqueue(2);
    awaitTerminal(1, 2);
  }

  @Test
  void aRequestSentTwiceIsBuiltOnce() throws Exception {
    compileUntilCancelled.add(1L);
    startWorkers();
    enqueue(1);
    awaitLatch(started(1));

    enqueue(1); // the api retrying a call whose first try got through
    enqueue(2);

    awaitTerminal(1, 2);
    assertThat(terminal)
        .containsExactly(Map.entry(1L, "aborted: superseded by run 2"), Map.entry(2L, "passed"));
    assertThat(events.stream().filter(e -> e.startsWith("fetch:")))
        .containsExactly("fetch:1", "fetch:2");
    client.newUntypedWorkflowStub(LaneWorkflow.workflowId(LANE)).getResult(Void.class);
    RecordedHistories.saveIfRecording(
        client, LaneWorkflow.workflowId(LANE), "lane-enqueue-reports-in-background");
  }

  @Test
  void newerRequestSupersedesTheRunningBuildAfterItsCleanup() throws Exception {
    compileUntilCancelled.add(1L);
    startWorkers();
    enqueue(1);
    awaitLatch(started(1));

    LaneAdmission admission = submit(2);

    assertThat(admission.building()).isEqualTo(1L);
    awaitTerminal(1, 2);
    assertThat(terminal)
        .containsOnly(Map.entry(1L, "aborted: superseded by run 2"), Map.entry(2L, "passed"));
    verify(ledger).superseded(1, 2);
    verify(ledger, never()).finished(eq(1L), any(), any());
    assertThat(events)
        .containsSubsequence(
            "compile:1", "compile-cancelled:1", "cleanup:1", "fetch:2", "compile:2", "cleanup:2");
    assertThat(events.indexOf("cleanup:1")).isLessThan(events.indexOf("fetch:2"));
    verify(hostA, never()).stage(argThat(r -> r != null && r.run().runId() == 1));
    var superseded = client.newUntypedWorkflowStub(RebuildWorkflow.workflowId(1)).describe();
    assertThat(superseded.getStatus())
        .isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED);
    assertThat(superseded.getTypedSearchAttributes().get(KilnSearchAttributes.RESULT))
        .isEqualTo("aborted");

    client.newUntypedWorkflowStub(LaneWorkflow.workflowId(LANE)).getResult(Void.class);
    RecordedHistories.saveIfRecording(client, LaneWorkflow.workflowId(LANE), "lane-supersede");
    RecordedHistories.saveIfRecording(
        client, RebuildWorkflow.workflowId(1), "lane-supersede-run-1");
    RecordedHistories.saveIfRecording(
        client, RebuildWorkflow.workflowId(2), "lane-supersede-run-2");
  }

  @Test
  void requestsQueuedBehindACancellingBuildAreCoalescedToTheNewest() throws Exception {
    compileUntilCancelled.add(1L);
    cancelAcknowledged = new CountDownLatch(1);
    startWorkers();
    enqueue(1);
    awaitLatch(started(1));
    enqueue(2);
    awaitLatch(cancelled(1));

    // run 1 is still stopping its commands: 2, 3 and 4 queue behind it
    assertThat(submit(3).building()).isEqualTo(1L);
    assertThat(submit(4).building()).isEqualTo(1L);
    assertThat(laneStatus().pending()).containsExactly(2L, 3L, 4L);
    cancelAcknowledged.countDown();

    awaitTerminal(1, 2, 3, 4);
    assertThat(terminal)
        .containsOnly(
            Map.entry(1L, "aborted: superseded by run 2"),
            Map.entry(2L, "aborted: superseded by run 4"),
            Map.entry(3L, "aborted: superseded by run 4"),
            Map.entry(4L, "passed"));
    verify(ledger).superseded(2, 4);
    verify(ledger).superseded(3, 4);
    verify(fetch, never()).fetch(argThat(r -> r != null && (r.runId() == 2 || r.runId() == 3)));
    assertThat(events)
        .containsSubsequence("compile:1", "cleanup:1", "fetch:4", "compile:4", "cleanup:4");

    client.newUntypedWorkflowStub(LaneWorkflow.workflowId(LANE)).getResult(Void.class);
    RecordedHistories.saveIfRecording(client, LaneWorkflow.workflowId(LANE), "lane-coalesce");
    RecordedHistories.saveIfRecording(client, RebuildWorkflow.workflowId(1), "lane-coalesce-run-1");
    RecordedHistories.saveIfRecording(client, RebuildWorkflow.workflowId(4), "lane-coalesce-run-4");
  }

  @Test
  void cancellingAQueuedRunRecordsItCancelledWithoutEverFetchingItAndTheLaneBuildsTheNextOne()
      throws Exception {
    compileUntilCancelled.add(1L);
    cancelAcknowledged = new CountDownLatch(1);
    startWorkers();
    enqueue(1);
    awaitLatch(started(1));
    enqueue(2);
    awaitLatch(cancelled(1));
    // run 1 is still stopping its commands: 2 and 3 wait behind it
    enqueue(3);
    assertThat(laneStatus().pending()).containsExactly(2L, 3L);

    lane().cancelRun(3);
    lane().cancelRun(3);
    lane().cancelRun(99); // not this lane's: ignored
    cancelAcknowledged.countDown();

    awaitTerminal(1, 2, 3);
    assertThat(terminal)
        .containsOnly(
            Map.entry(1L, "aborted: superseded by run 2"),
            Map.entry(2L, "passed"),
            Map.entry(3L, "cancelled: cancelled"));
    verify(ledger).finished(3, Result.CANCELLED, "cancelled");
    verify(ledger, never()).finished(eq(99L), any(), any());
    verify(fetch, never()).fetch(argThat(r -> r != null && r.runId() == 3));
    assertThat(events).containsSubsequence("cleanup:1", "fetch:2", "compile:2", "cleanup:2");
    client.newUntypedWorkflowStub(LaneWorkflow.workflowId(LANE)).getResult(Void.class);
    RecordedHistories.saveIfRecording(client, LaneWorkflow.workflowId(LANE), "lane-cancel-queued");
  }

  @Test
  void cancellingTheRunningBuildEndsItCancelledAfterCleanupThenTheNextRequestBuilds()
      throws Exception {
    compileUntilCancelled.add(1L);
    cancelAcknowledged = new CountDownLatch(1);
    startWorkers();
    enqueue(1);
    awaitLatch(started(1));

    lane().cancelRun(1);
    awaitLatch(cancelled(1));
    // a second cancel while run 1 stops changes nothing; a request meanwhile waits its turn
    lane().cancelRun(1);
    assertThat(submit(2).building()).isEqualTo(1L);
    cancelAcknowledged.countDown();

    awaitTerminal(1, 2);
    assertThat(terminal)
        .containsOnly(Map.entry(1L, "cancelled: cancelled"), Map.entry(2L, "passed"));
    verify(ledger).finished(1, Result.CANCELLED, "cancelled");
    verify(ledger, never()).superseded(eq(1L), anyLong());
    assertThat(events)
        .containsSubsequence(
            "compile:1",
            "compile-cancelled:1",
            "cleanup:1",
            "finished:1",
            "fetch:2",
            "compile:2",
            "cleanup:2");
    verify(hostA, never()).stage(argThat(r -> r != null && r.run().runId() == 1));
    var run1 = client.newUntypedWorkflowStub(RebuildWorkflow.workflowId(1)).describe();
    assertThat(run1.getStatus())
        .isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED);
    assertThat(run1.getTypedSearchAttributes().get(KilnSearchAttributes.RESULT))
        .isEqualTo("cancelled");
    client.newUntypedWorkflowStub(LaneWorkflow.workflowId(LANE)).getResult(Void.class);
    RecordedHistories.saveIfRecording(client, LaneWorkflow.workflowId(LANE), "lane-cancel-running");
    RecordedHistories.saveIfRecording(
        client, RebuildWorkflow.workflowId(1), "lane-cancel-running-run-1");
  }

  @Test
  void twentySubmitsIntoOneLaneEndWithOnePassedAndNoneLeftBuilding() throws Exception {
    // Run 1 is in its compile when the other 19 arrive at once, and stays in its cancellation
    // until all 19 are admitted. Cancelling a child in the instant its activity completes trips a
    // test-server bug (ACTIVITY_UNKNOWN on the workflow task, which then hangs); this keeps every
    // cancellation on a heartbeating compile.
    compileUntilCancelled.add(1L);
    cancelAcknowledged = new CountDownLatch(1);
    compileMillis = 300;
    startWorkers();
    enqueue(1);
    awaitLatch(started(1));
    ExecutorService pool = Executors.newFixedThreadPool(19);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> accepted = new ArrayList<>();
      for (long id = 2; id <= 20; id++) {
        long runId = id;
        accepted.add(
            pool.submit(
                () -> {
                  go.await();
                  enqueue(runId);
                  return null;
                }));
      }
      go.countDown();
      for (Future<?> request : accepted) {
        request.get(60, TimeUnit.SECONDS);
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> laneStatus().pending().size() == 19);
    } finally {
      pool.shutdownNow();
    }
    cancelAcknowledged.countDown();

    awaitTerminal(LongStream.rangeClosed(1, 20).toArray());
    assertThat(terminal).hasSize(20);
    assertThat(terminal).containsEntry(20L, "passed");
    for (long id = 2; id < 20; id++) {
      assertThat(terminal.get(id)).isEqualTo("aborted: superseded by run 20");
    }
    for (long id = 1; id < 20; id++) {
      assertThat(terminal.get(id)).startsWith("aborted: superseded by run ");
      long by = Long.parseLong(terminal.get(id).substring("aborted: superseded by run ".length()));
      assertThat(by).as("run %d superseded by a newer run", id).isGreaterThan(id);
    }
    List<String> seen = List.copyOf(events);
    assertThat(seen.stream().filter(e -> e.startsWith("fetch:")))
        .containsExactly("fetch:1", "fetch:20");
    assertThat(seen.stream().filter(e -> e.startsWith("cleanup:")).count())
        .as("every fetched workspace is cleaned up")
        .isEqualTo(seen.stream().filter(e -> e.startsWith("fetch:")).count());
    client.newUntypedWorkflowStub(LaneWorkflow.workflowId(LANE)).getResult(Void.class);
    assertThat(laneStatusOrNull()).isNull();
  }

  @Test
  void continuesAsNewBetweenBuildsAndCarriesTheWaitingRequestOver() {
    maxBuildsPerRun = 2;
    startWorkers();

    for (long id = 1; id <= 5; id++) {
      enqueue(id);
      awaitTerminal(id);
      // The run's workflow, not only its ledger write, must be done: else the next request
      // supersedes it in its last moment. Waited for by describing it, not with getResult, which
      // lets the test server skip time: past the lane's idle timeout, which would end the lane.
      long runId = id;
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  client
                          .newUntypedWorkflowStub(RebuildWorkflow.workflowId(runId))
                          .describe()
                          .getStatus()
                      != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);
    }

    assertThat(terminal.values()).hasSize(5).containsOnly("passed");
    var history = client.fetchHistory(LaneWorkflow.workflowId(LANE));
    var started = history.getEvents().get(0).getWorkflowExecutionStartedEventAttributes();
    assertThat(started.getContinuedExecutionRunId()).as("continued as new").isNotEmpty();
    assertThat(laneStatus().buildsThisRun()).isLessThanOrEqualTo(2);
    long childrenInThisRun =
        history.getEvents().stream()
            .filter(
                e ->
                    e.getEventType()
                        == EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED)
            .count();
    assertThat(childrenInThisRun).isBetween(1L, 2L);
  }

  @Test
  void underTheQueuePolicyEveryRequestBuildsInTurnAndNoneIsCutShort() throws Exception {
    compileUntilCancelled.add(1L);
    startWorkers();
    enqueue(request(1, SupersedePolicy.QUEUE));
    awaitLatch(started(1));

    enqueue(request(2, SupersedePolicy.QUEUE));
    enqueue(request(3, SupersedePolicy.QUEUE));
    await().atMost(Duration.ofSeconds(30)).until(() -> laneStatus().pending().size() == 2);
    assertThat(terminal).as("the running build is not cut short").isEmpty();
    compileUntilCancelled.remove(1L);

    awaitTerminal(1, 2, 3);
    assertThat(terminal)
        .containsOnly(Map.entry(1L, "passed"), Map.entry(2L, "passed"), Map.entry(3L, "passed"));
    assertThat(events.stream().filter(e -> e.startsWith("fetch:")))
        .containsExactly("fetch:1", "fetch:2", "fetch:3");
    verify(ledger, never()).superseded(anyLong(), anyLong());
    client.newUntypedWorkflowStub(LaneWorkflow.workflowId(LANE)).getResult(Void.class);
    RecordedHistories.saveIfRecording(client, LaneWorkflow.workflowId(LANE), "lane-queue-policy");
  }

  @Test
  void theRunsItStartsShareTheBuildQueueByRepositoryWithTheRegisteredWeight() {
    startWorkers();
    enqueue(request(1).withFairnessWeight(2.5));

    awaitTerminal(1);
    client.newUntypedWorkflowStub(LaneWorkflow.workflowId(LANE)).getResult(Void.class);
    var started =
        client.fetchHistory(LaneWorkflow.workflowId(LANE)).getEvents().stream()
            .filter(
                e ->
                    e.getEventType()
                        == EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED)
            .map(e -> e.getStartChildWorkflowExecutionInitiatedEventAttributes().getPriority())
            .toList();
    assertThat(started).hasSize(1);
    assertThat(started.get(0).getPriorityKey()).isEqualTo(3);
    assertThat(started.get(0).getFairnessKey()).isEqualTo("https://example.com/repo");
    assertThat(started.get(0).getFairnessWeight()).isEqualTo(2.5f);
    RecordedHistories.saveIfRecording(client, LaneWorkflow.workflowId(LANE), "lane-fair-queues");
  }

  @Test
  void underReplacePendingTheRunningBuildFinishesAndOnlyTheNewestWaitingRequestBuilds()
      throws Exception {
    compileUntilCancelled.add(1L);
    startWorkers();
    enqueue(request(1, SupersedePolicy.REPLACE_PENDING));
    awaitLatch(started(1));

    enqueue(request(2, SupersedePolicy.REPLACE_PENDING));
    enqueue(request(3, SupersedePolicy.REPLACE_PENDING));
    await().atMost(Duration.ofSeconds(30)).until(() -> laneStatus().pending().size() == 2);
    assertThat(terminal).as("the running build is not cut short").isEmpty();
    compileUntilCancelled.remove(1L);

    awaitTerminal(1, 2, 3);
    assertThat(terminal)
        .containsOnly(
            Map.entry(1L, "passed"),
            Map.entry(2L, "aborted: superseded by run 3"),
            Map.entry(3L, "passed"));
    assertThat(events.stream().filter(e -> e.startsWith("fetch:")))
        .containsExactly("fetch:1", "fetch:3");
    assertThat(events).doesNotContain("compile-cancelled:1");
  }

  @Test
  void aRequestMarkedCancelRunningSupersedesTheRunningBuildAsRequestsWithoutAPolicyDo()
      throws Exception {
    compileUntilCancelled.add(1L);
    startWorkers();
    enqueue(request(1, SupersedePolicy.CANCEL_RUNNING));
    awaitLatch(started(1));

    enqueue(request(2, SupersedePolicy.CANCEL_RUNNING));

    awaitTerminal(1, 2);
    assertThat(terminal)
        .containsOnly(Map.entry(1L, "aborted: superseded by run 2"), Map.entry(2L, "passed"));
    assertThat(events).containsSubsequence("compile-cancelled:1", "cleanup:1", "fetch:2");
  }

  // --- harness ---

  private Void compile(CompileRequest request) throws InterruptedException {
    long id = request.run().runId();
    events.add("compile:" + id);
    started(id).countDown();
    ActivityExecutionContext context = Activity.getExecutionContext();
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(compileMillis);
    try {
      while (compileUntilCancelled.contains(id) || System.nanoTime() < until) {
        context.heartbeat(null);
        TimeUnit.MILLISECONDS.sleep(20);
      }
    } catch (ActivityCompletionException cancelled) {
      events.add("compile-cancelled:" + id);
      cancelled(id).countDown();
      cancelAcknowledged.await(30, TimeUnit.SECONDS);
      throw cancelled;
    }
    events.add("compiled:" + id);
    return null;
  }

  private boolean recordTerminal(long runId, String outcome) {
    events.add("finished:" + runId);
    return terminal.putIfAbsent(runId, outcome) == null;
  }

  private CountDownLatch started(long runId) {
    return compileStarted.computeIfAbsent(runId, id -> new CountDownLatch(1));
  }

  private CountDownLatch cancelled(long runId) {
    return compileCancelled.computeIfAbsent(runId, id -> new CountDownLatch(1));
  }

  private void startWorkers() {
    Worker control = env.newWorker(TaskQueues.CONTROL);
    control.registerWorkflowImplementationTypes(LaneWorkflowImpl.class, RebuildWorkflowImpl.class);
    control.registerActivitiesImplementations(ledger);
    env.newWorker(TaskQueues.build(ARCH)).registerActivitiesImplementations(fetch);
    // the production throttle (0.8 × 15 s) would make every cancellation take seconds here
    env.newWorker(
            HOST_A,
            WorkerOptions.newBuilder()
                .setMaxHeartbeatThrottleInterval(Duration.ofMillis(50))
                .setDefaultHeartbeatThrottleInterval(Duration.ofMillis(50))
                .build())
        .registerActivitiesImplementations(hostA);
    env.start();
  }

  /** What the api does for {@code POST /rebuild}: signal-with-start. */
  private void enqueue(long runId) {
    enqueue(request(runId));
  }

  private void enqueue(RebuildRequest request) {
    LaneWorkflow lane =
        client.newWorkflowStub(
            LaneWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(LaneWorkflow.workflowId(LANE))
                .setTaskQueue(TaskQueues.CONTROL)
                .build());
    BatchRequest batch = client.newSignalWithStartRequest();
    batch.add(lane::run, LaneInput.of(LANE, request).withMaxBuildsPerRun(maxBuildsPerRun));
    batch.add(lane::enqueue, request);
    client.signalWithStart(batch);
  }

  /** What the api did before it used {@link #enqueue}: update-with-start. */
  private LaneAdmission submit(long runId) {
    return submit(request(runId), Long.toString(runId));
  }

  /** Update-with-start, the update id being the run id. */
  private LaneAdmission submit(RebuildRequest request, String updateId) {
    LaneWorkflow lane =
        client.newWorkflowStub(
            LaneWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(LaneWorkflow.workflowId(LANE))
                .setTaskQueue(TaskQueues.CONTROL)
                .setWorkflowIdConflictPolicy(
                    WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING)
                .build());
    return WorkflowClient.executeUpdateWithStart(
        lane::submit,
        request,
        UpdateOptions.<LaneAdmission>newBuilder()
            .setUpdateId(updateId)
            .setWaitForStage(WorkflowUpdateStage.COMPLETED)
            .build(),
        new WithStartWorkflowOperation<>(
            lane::run, LaneInput.of(LANE, request).withMaxBuildsPerRun(maxBuildsPerRun)));
  }

  private LaneWorkflow lane() {
    return client.newWorkflowStub(LaneWorkflow.class, LaneWorkflow.workflowId(LANE));
  }

  private LaneStatus laneStatus() {
    return client.newWorkflowStub(LaneWorkflow.class, LaneWorkflow.workflowId(LANE)).status();
  }

  private LaneStatus laneStatusOrNull() {
    var description = client.newUntypedWorkflowStub(LaneWorkflow.workflowId(LANE)).describe();
    return description.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING
        ? laneStatus()
        : null;
  }

  /**
   * Until each run has its terminal write and its workflow, if it had one, has closed: a run's
   * result is recorded while its cleanup still runs.
   */
  private void awaitTerminal(long... runIds) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (LongStream.of(runIds).anyMatch(id -> !terminal.containsKey(id) || workflowOpen(id))) {
      assertThat(System.nanoTime())
          .as("runs %s all ended; so far %s", Arrays.toString(runIds), terminal)
          .isLessThan(deadline);
      try {
        TimeUnit.MILLISECONDS.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  private boolean workflowOpen(long runId) {
    try {
      return client.newUntypedWorkflowStub(RebuildWorkflow.workflowId(runId)).describe().getStatus()
          == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
    } catch (WorkflowNotFoundException neverStarted) {
      return false;
    }
  }

  private static void awaitLatch(CountDownLatch latch) throws InterruptedException {
    assertThat(latch.await(30, TimeUnit.SECONDS)).isTrue();
  }

  static RebuildRequest request(long runId) {
    return new RebuildRequest(runId, REPO, "main", ARCH, null, "normal", null, List.of(), 0);
  }

  static RebuildRequest request(long runId, SupersedePolicy policy) {
    return request(runId).withSupersede(policy);
  }

  static GateResult passed(GateRequest request) {
    if (request == null) {
      return null;
    }
    return new GateResult(
        request.gate().name(), true, "10 tests, 0 failed", new TestCounts(10, 0, 0));
  }
}
