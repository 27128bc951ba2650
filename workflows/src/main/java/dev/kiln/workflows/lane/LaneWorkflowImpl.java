package dev.kiln.workflows.lane;

import dev.kiln.workflows.FailureTypes;
import dev.kiln.workflows.FairQueues;
import dev.kiln.workflows.KilnSearchAttributes;
import dev.kiln.workflows.RebuildRequest;
import dev.kiln.workflows.Result;
import dev.kiln.workflows.RunOutcome;
import dev.kiln.workflows.RunPriority;
import dev.kiln.workflows.TaskQueues;
import dev.kiln.workflows.WorkflowTexts;
import dev.kiln.workflows.activities.LedgerActivities;
import dev.kiln.workflows.rebuild.LedgerReports;
import dev.kiln.workflows.rebuild.RebuildWorkflow;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.common.Priority;
import io.temporal.common.SearchAttributes;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.failure.TerminatedFailure;
import io.temporal.failure.TimeoutFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.ChildWorkflowCancellationType;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInit;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;

/**
 * Builds a lane's runs one at a time, newest first. A request newer than the build in progress
 * supersedes it: the lane tells the child it was superseded, cancels it and waits until the child
 * has stopped its commands and cleaned its workspace before the next build starts, so two builds of
 * one lane never share a host's time. Requests that pile up meanwhile are coalesced: only the
 * newest runs, the others end aborted without ever fetching. That is the default supersede policy,
 * {@code cancel-running}; a request may ask for {@code replace-pending} (the running build
 * finishes, the waiting ones still coalesce) or {@code queue} (every request builds, oldest first,
 * none cut short), see {@link LaneOrder}.
 *
 * <p>Everything the lane knows lives in this run's memory; {@link #continueAsNew} hands it over.
 */
public class LaneWorkflowImpl implements LaneWorkflow {

  private static final Logger log = Workflow.getLogger(LaneWorkflowImpl.class);

  /**
   * How long a lane with nothing to do stays open. A lane that completes costs nothing to bring
   * back (the next update-with-start starts a new run under the same id), so this only needs to
   * cover a burst of pushes; keeping idle lanes any longer would leave one open workflow per branch
   * ever built in the Web UI's running list. What a fresh run forgets is which old run ids it took,
   * and a request older than the last build: the ledger's first-terminal-write-wins rule keeps both
   * harmless.
   */
  static final Duration IDLE_TIMEOUT = Duration.ofMinutes(10);

  /** What a run cancelled on request records, the same as a {@code RebuildWorkflow} cancelled. */
  static final String CANCELLED_SUMMARY = "cancelled";

  /** Run ids remembered to reject a duplicate submit; older ones are long finished. */
  static final int ADMITTED_MEMORY = 100;

  private final LedgerActivities ledger = LedgerReports.stub();

  /**
   * Version of ledger reporting: 1 sends the lane's writes (coalesced and cancelled runs) from a
   * thread of their own, so that a burst's newest request does not wait for one write per request
   * it overtook; before it, each write was waited for.
   */
  static final String LEDGER_IN_BACKGROUND_CHANGE = "ledger-in-background";

  /**
   * Version of the order of builds: 1 follows each request's supersede policy ({@link LaneOrder}):
   * under {@code queue} every request builds in turn and none is cut short, under {@code
   * replace-pending} the running build finishes. Before it, every lane cancelled its running build
   * for a newer request, which {@code cancel-running}, the default, still does.
   */
  static final String SUPERSEDE_POLICY_CHANGE = "supersede-policy";

  /**
   * Version of the runs' Temporal priority: 1 adds their repository as the fairness key and its
   * registration's weight ({@link FairQueues}), so that one repository's many queued builds do not
   * starve another's; before it, the priority key alone.
   */
  static final String FAIR_QUEUES_CHANGE = "fair-queues";

  private LedgerReports reports;
  private boolean policies;
  private boolean fairQueues;
  private final LaneInput input;
  private final List<RebuildRequest> pending = new ArrayList<>();
  private final ArrayDeque<Long> admitted = new ArrayDeque<>();

  /**
   * Runs of this lane (pending or building) whose cancellation was asked for. The signal handler
   * only notes them: the ledger writes and the child's cancellation happen on the main thread.
   */
  private final Set<Long> cancelRequests = new LinkedHashSet<>();

  private long lastStarted;
  private int buildsThisRun;
  private RebuildRequest building;
  private boolean childStarted;
  private Promise<RunOutcome> buildingOutcome;

  /** Runs before any update handler, so the validator always knows which lane this is. */
  @WorkflowInit
  public LaneWorkflowImpl(LaneInput input) {
    this.input = input;
    this.pending.addAll(input.pending());
    this.admitted.addAll(input.admittedRunIds());
    this.lastStarted = input.lastStartedRunId();
  }

  @Override
  public void run(LaneInput input) {
    reports =
        Workflow.getVersion(LEDGER_IN_BACKGROUND_CHANGE, Workflow.DEFAULT_VERSION, 1) >= 1
            ? LedgerReports.inBackground(ledger)
            : LedgerReports.inline(ledger);
    policies = Workflow.getVersion(SUPERSEDE_POLICY_CHANGE, Workflow.DEFAULT_VERSION, 1) >= 1;
    fairQueues = Workflow.getVersion(FAIR_QUEUES_CHANGE, Workflow.DEFAULT_VERSION, 1) >= 1;
    Workflow.setCurrentDetails(details());
    try {
      while (true) {
        recordCancelledPending();
        if (pending.isEmpty() && !awaitRequests()) {
          log.info("lane {}: idle for {}, completing", input.lane(), IDLE_TIMEOUT);
          return;
        }
        if (shouldContinueAsNew()) {
          continueAsNew();
        }
        RebuildRequest next = takeNewest();
        if (next != null) {
          build(next);
        }
      }
    } catch (ActivityFailure | CanceledFailure e) {
      if (!CancellationScope.current().isCancelRequested()) {
        throw e;
      }
      Workflow.newDetachedCancellationScope(this::cancelEverything).run();
      throw e instanceof CanceledFailure cancel ? cancel : new CanceledFailure("lane cancelled");
    }
  }

  @Override
  public void validateSubmit(RebuildRequest request) {
    if (request == null) {
      throw ApplicationFailure.newNonRetryableFailure("no request", FailureTypes.WRONG_LANE);
    }
    if (!Objects.equals(request.repo(), input.repo())
        || !Objects.equals(request.ref(), input.ref())
        || !Objects.equals(request.arch(), input.arch())) {
      throw ApplicationFailure.newNonRetryableFailure(
          "run "
              + request.runId()
              + " ("
              + request.repo()
              + "@"
              + request.ref()
              + " "
              + request.arch()
              + ") does not belong in lane "
              + input.lane(),
          FailureTypes.WRONG_LANE);
    }
    if (isAdmitted(request.runId())) {
      throw ApplicationFailure.newNonRetryableFailure(
          "lane " + input.lane() + " already took run " + request.runId(),
          FailureTypes.DUPLICATE_RUN);
    }
  }

  @Override
  public void enqueue(RebuildRequest request) {
    if (request == null || isAdmitted(request.runId())) {
      log.info("lane {}: request ignored, run already taken", input.lane());
      return;
    }
    admit(request);
  }

  @Override
  public LaneAdmission submit(RebuildRequest request) {
    admit(request);
    return new LaneAdmission(
        request.runId(),
        input.lane(),
        RebuildWorkflow.workflowId(request.runId()),
        building == null ? null : building.runId());
  }

  private void admit(RebuildRequest request) {
    pending.add(request);
    admitted.addLast(request.runId());
    while (admitted.size() > ADMITTED_MEMORY) {
      admitted.removeFirst();
    }
    Workflow.setCurrentDetails(details());
  }

  @Override
  public void cancelRun(long runId) {
    boolean held =
        (building != null && building.runId() == runId)
            || pending.stream().anyMatch(r -> r.runId() == runId);
    if (!held) {
      log.info("lane {}: cancel of run {} ignored, not in this lane", input.lane(), runId);
      return;
    }
    cancelRequests.add(runId);
  }

  @Override
  public LaneStatus status() {
    return new LaneStatus(
        input.lane(),
        building == null ? null : building.runId(),
        pending.stream().map(RebuildRequest::runId).toList(),
        buildsThisRun);
  }

  /** Whether a request came before the lane went idle for too long. */
  private boolean awaitRequests() {
    if (Workflow.await(IDLE_TIMEOUT, () -> !pending.isEmpty())) {
      return true;
    }
    // A submit accepted in this very task, and the reports not yet delivered, must not be lost
    // with the run.
    reports.awaitDelivered();
    Workflow.await(Workflow::isEveryHandlerFinished);
    return !pending.isEmpty();
  }

  private boolean shouldContinueAsNew() {
    return buildsThisRun >= input.maxBuildsPerRun()
        || Workflow.getInfo().isContinueAsNewSuggested();
  }

  /** Only ever between builds: closing this run would cancel a running child (REQUEST_CANCEL). */
  private void continueAsNew() {
    Workflow.await(Workflow::isEveryHandlerFinished);
    // A cancel that came for a waiting run, and every report, must not be lost with this run:
    // record and deliver them first. Waiting for the ledger lets more signals in, hence the loop.
    do {
      recordCancelledPending();
      reports.awaitDelivered();
      Workflow.await(Workflow::isEveryHandlerFinished);
    } while (hasCancelledPending());
    log.info(
        "lane {}: continuing as new after {} builds, {} pending",
        input.lane(),
        buildsThisRun,
        pending.size());
    Workflow.continueAsNew(
        new LaneInput(
            input.lane(),
            input.repo(),
            input.ref(),
            input.arch(),
            pending,
            List.copyOf(admitted),
            lastStarted,
            input.maxBuildsPerRun()));
  }

  /**
   * Takes the newest pending request to build and ends every other one as superseded. A request
   * older than the last build started (a slow api call overtaken by a later push) never runs: it
   * would build an older commit after a newer one.
   */
  private RebuildRequest takeNewest() {
    // One at a time: a request may arrive while the ledger is written, and it may be the newest.
    while (true) {
      // a cancel may arrive while a coalesced run is written: it wins over building or coalescing
      recordCancelledPending();
      if (policies && LaneOrder.queues(pending)) {
        RebuildRequest oldest = LaneOrder.oldest(pending);
        pending.remove(oldest);
        return oldest;
      }
      RebuildRequest newest = null;
      for (RebuildRequest request : pending) {
        if (request.runId() > lastStarted && (newest == null || request.runId() > newest.runId())) {
          newest = request;
        }
      }
      RebuildRequest skipped = null;
      for (RebuildRequest request : pending) {
        if (request != newest) {
          skipped = request;
          break;
        }
      }
      if (skipped == null) {
        pending.remove(newest);
        return newest;
      }
      long by = newest == null ? lastStarted : newest.runId();
      log.info(
          "lane {}: run {} coalesced, superseded by run {}", input.lane(), skipped.runId(), by);
      reports.superseded(skipped.runId(), by);
      pending.remove(skipped);
    }
  }

  private void build(RebuildRequest request) {
    building = request;
    childStarted = false;
    lastStarted = request.runId();
    buildsThisRun++;
    Workflow.setCurrentDetails(details());
    RebuildWorkflow child =
        Workflow.newChildWorkflowStub(RebuildWorkflow.class, childOptions(request));
    CancellationScope scope =
        Workflow.newCancellationScope(
            () -> buildingOutcome = Async.function(child::build, request));
    scope.run();
    try {
      Workflow.await(
          () ->
              buildingOutcome.isCompleted()
                  || supersedingRequest(request) != null
                  || cancelRequests.contains(request.runId()));
      if (!buildingOutcome.isCompleted()) {
        if (cancelRequests.contains(request.runId())) {
          cancelOnRequest(child, scope, request);
        } else {
          supersede(child, scope, request, supersedingRequest(request).runId());
        }
      }
      // WAIT_CANCELLATION_COMPLETED: a superseded child completes this only once it has killed its
      // commands, cleaned its workspace and recorded itself aborted.
      RunOutcome outcome = buildingOutcome.get();
      log.info("lane {}: run {} {}", input.lane(), request.runId(), outcome.result().wireName());
    } catch (ChildWorkflowFailure failure) {
      recordIfLeftBuilding(request, failure);
    } catch (CanceledFailure cancelled) {
      if (CancellationScope.current().isCancelRequested()) {
        throw cancelled; // the lane itself: cancelEverything waits for this child
      }
      log.info("lane {}: run {} cancelled before it started", input.lane(), request.runId());
      if (cancelRequests.contains(request.runId()) && !childStarted) {
        // no child ever ran to record it
        reports.finished(request.runId(), Result.CANCELLED, CANCELLED_SUMMARY);
      }
    }
    cancelRequests.remove(request.runId());
    building = null;
    buildingOutcome = null;
    Workflow.setCurrentDetails(details());
  }

  /**
   * The signal goes first and is confirmed delivered before the cancel is requested, so the child's
   * history has it before the cancellation: Temporal does not order two commands to another
   * workflow by themselves.
   */
  private void supersede(
      RebuildWorkflow child, CancellationScope scope, RebuildRequest request, long by) {
    log.info("lane {}: run {} superseded by run {}", input.lane(), request.runId(), by);
    try {
      Workflow.getWorkflowExecution(child).get();
      child.supersededBy(by);
    } catch (RuntimeException e) {
      // The child never started, or finished between the decision and the signal: nothing to tell.
      log.info("lane {}: could not tell run {}: {}", input.lane(), request.runId(), e.toString());
    }
    scope.cancel("superseded by run " + by);
  }

  /**
   * {@code PUT /build-jobs/{id}/cancel} of the running build: the child's scope is cancelled with
   * no {@code supersededBy} signal, so the child takes its own cancel path (kill the process group,
   * clean up, record {@code cancelled}). Waits for the child to have started first: a child whose
   * start is cancelled never records anything, so the lane has to.
   */
  private void cancelOnRequest(
      RebuildWorkflow child, CancellationScope scope, RebuildRequest request) {
    log.info("lane {}: run {} cancelled on request", input.lane(), request.runId());
    try {
      Workflow.getWorkflowExecution(child).get();
      childStarted = true;
    } catch (RuntimeException e) {
      log.info("lane {}: run {} did not start: {}", input.lane(), request.runId(), e.toString());
    }
    scope.cancel(CANCELLED_SUMMARY);
  }

  /** Ends every waiting run whose cancellation was asked for, without running it. */
  private void recordCancelledPending() {
    while (hasCancelledPending()) {
      RebuildRequest cancelled = null;
      for (Iterator<RebuildRequest> it = pending.iterator(); it.hasNext(); ) {
        RebuildRequest request = it.next();
        if (cancelRequests.contains(request.runId())) {
          cancelled = request;
          it.remove();
          break;
        }
      }
      cancelRequests.remove(cancelled.runId());
      log.info("lane {}: run {} cancelled before it started", input.lane(), cancelled.runId());
      Workflow.setCurrentDetails(details());
      reports.finished(cancelled.runId(), Result.CANCELLED, CANCELLED_SUMMARY);
    }
  }

  private boolean hasCancelledPending() {
    if (cancelRequests.isEmpty()) {
      return false;
    }
    return pending.stream().anyMatch(r -> cancelRequests.contains(r.runId()));
  }

  /** A child that was terminated or timed out never wrote its result; a cancelled one did. */
  private void recordIfLeftBuilding(RebuildRequest request, ChildWorkflowFailure failure) {
    Throwable cause = failure.getCause();
    log.info("lane {}: run {} ended: {}", input.lane(), request.runId(), String.valueOf(cause));
    String summary = null;
    if (cause instanceof TerminatedFailure) {
      summary = "the run's workflow was terminated";
    } else if (cause instanceof TimeoutFailure) {
      summary = "the run's workflow timed out";
    }
    if (summary != null) {
      reports.finished(request.runId(), Result.FAILED, summary);
    }
  }

  /** The lane itself was cancelled (by an operator): its runs end cancelled, none left building. */
  private void cancelEverything() {
    if (buildingOutcome != null) {
      // The child's scope is cancelled with the lane's; it records its own result.
      Workflow.await(buildingOutcome::isCompleted);
    }
    for (RebuildRequest request : pending) {
      reports.finished(request.runId(), Result.CANCELLED, "lane cancelled");
    }
    pending.clear();
    reports.awaitDelivered();
  }

  /** The waiting request that cancels the running build, if any. */
  private RebuildRequest supersedingRequest(RebuildRequest running) {
    return policies ? LaneOrder.superseding(pending, running) : newestPendingAfter(running);
  }

  private RebuildRequest newestPendingAfter(RebuildRequest running) {
    RebuildRequest newest = null;
    for (RebuildRequest request : pending) {
      if (request.runId() > running.runId()
          && (newest == null || request.runId() > newest.runId())) {
        newest = request;
      }
    }
    return newest;
  }

  private boolean isAdmitted(long runId) {
    if (admitted.contains(runId) || (building != null && building.runId() == runId)) {
      return true;
    }
    return pending.stream().anyMatch(r -> r.runId() == runId);
  }

  private ChildWorkflowOptions childOptions(RebuildRequest request) {
    return ChildWorkflowOptions.newBuilder()
        .setWorkflowId(RebuildWorkflow.workflowId(request.runId()))
        .setTaskQueue(TaskQueues.CONTROL)
        .setCancellationType(ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED)
        .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_REQUEST_CANCEL)
        // a run id is never reused: a second start of the same run must not build it again
        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
        .setTypedSearchAttributes(searchAttributes(request))
        .setStaticSummary(WorkflowTexts.laneRunSummary(request))
        .setPriority(priority(request))
        .build();
  }

  private Priority priority(RebuildRequest request) {
    if (fairQueues) {
      return FairQueues.priority(request);
    }
    return Priority.newBuilder()
        .setPriorityKey(RunPriority.temporalKeyOf(request.priority()))
        .build();
  }

  static SearchAttributes searchAttributes(RebuildRequest request) {
    return KilnSearchAttributes.forQueuedRun(request);
  }

  private String details() {
    StringBuilder text = new StringBuilder("lane `").append(input.lane()).append('`');
    if (building != null) {
      text.append(": building run ").append(building.runId());
    } else {
      text.append(": idle");
    }
    if (!pending.isEmpty()) {
      text.append(", ").append(pending.size()).append(" waiting");
    }
    return text.toString();
  }
}
