package dev.kiln.workflows.lane;

import dev.kiln.workflows.RebuildRequest;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One lane (repository + branch + architecture): runs its builds one at a time as child {@code
 * RebuildWorkflow}s, a newer request superseding the build in progress. Workflow id {@code
 * kiln-lane/<lane>}, task queue {@code kiln-control}. The api feeds it with signal-with-start
 * ({@link #enqueue}), so starting the lane and handing it a request is one atomic step, with no
 * race between two pushes to the same branch, and the request is answered as soon as Temporal has
 * the request in the lane's history, not when a worker has run the lane.
 */
@WorkflowInterface
public interface LaneWorkflow {

  String WORKFLOW_ID_PREFIX = "kiln-lane/";

  /** The update name of {@link #submit}, for untyped stubs. */
  String SUBMIT = "submit";

  static String workflowId(String lane) {
    return WORKFLOW_ID_PREFIX + lane;
  }

  /**
   * Runs builds until the lane has been idle for {@link LaneWorkflowImpl#IDLE_TIMEOUT}, then
   * completes; the next submit starts a fresh run of the lane.
   */
  @WorkflowMethod
  void run(LaneInput input);

  /**
   * Queues a run in this lane: what the api sends with signal-with-start. The lane is the workflow
   * the api derived from the request's repository, branch and architecture, so the request is taken
   * as it comes; a run id the lane already took (a retried call) is ignored. The build itself is
   * the child workflow {@code kiln-run-<runId>}.
   */
  @SignalMethod
  void enqueue(RebuildRequest request);

  /**
   * Queues a run in this lane and returns once the lane has taken it. The api fed lanes this way
   * before {@link #enqueue}; lanes still running from then may receive it.
   */
  @UpdateMethod(name = SUBMIT)
  LaneAdmission submit(RebuildRequest request);

  /**
   * Rejects, before anything is written to history, a request for another repository, branch or
   * architecture ({@code KilnWrongLane}) and a run id this lane already took ({@code
   * KilnDuplicateRun}). SDK 1.38 hands the client the message but not the type: the caller sees a
   * {@code WorkflowUpdateException} whose cause's message says which.
   */
  @UpdateValidatorMethod(updateName = SUBMIT)
  void validateSubmit(RebuildRequest request);

  /**
   * Cancels one of this lane's runs ({@code PUT /build-jobs/{id}/cancel}). A run still waiting ends
   * {@code cancelled} without ever fetching; the running one is cancelled like a superseded run but
   * without {@code supersededBy}, so it stops its commands, cleans up and records itself {@code
   * cancelled}; the lane then goes on with the next request. A run id the lane does not hold (never
   * taken, already finished) is ignored.
   */
  @SignalMethod
  void cancelRun(long runId);

  /** What the lane is doing; also shown in the Web UI's Queries tab. */
  @QueryMethod
  LaneStatus status();
}
