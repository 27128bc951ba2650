package dev.kiln.workflows.culprit;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Finds the commit that broke a lane: bisects the first-parent commits between the lane's last pass
 * and a failed run with low-priority builds of the midpoints, one at a time. Workflow id {@code
 * kiln-culprit-<failing run id>}, one per failed run, task queue {@code kiln-culprit}; started by
 * the api when a run fails after a pass of its lane with more than one commit between.
 */
@WorkflowInterface
public interface CulpritWorkflow {

  String WORKFLOW_ID_PREFIX = "kiln-culprit-";

  static String workflowId(long failingRunId) {
    return WORKFLOW_ID_PREFIX + failingRunId;
  }

  /** Bisects until a culprit is named, the lane is fixed, or it gives up; returns how it ended. */
  @WorkflowMethod
  BisectReport find(CulpritRequest request);

  /**
   * Sent by the api when a newer run of the lane passed: the bisect build in progress is cancelled
   * and the bisection ends {@code stopped}.
   */
  @SignalMethod
  void laneFixed(long byRunId);

  /** Where the bisection stands; also shown in the Web UI's Queries tab. */
  @QueryMethod
  BisectReport status();
}
