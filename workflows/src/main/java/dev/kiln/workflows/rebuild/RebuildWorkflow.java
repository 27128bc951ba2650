package dev.kiln.workflows.rebuild;

import dev.kiln.workflows.RebuildRequest;
import dev.kiln.workflows.RunOutcome;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One build of one commit: fetch, compile, stage, gates, cleanup. Workflow id {@code
 * kiln-run-<runId>}, task queue {@code kiln-control}.
 */
@WorkflowInterface
public interface RebuildWorkflow {

  static String workflowId(long runId) {
    return "kiln-run-" + runId;
  }

  @WorkflowMethod
  RunOutcome build(RebuildRequest request);

  /** Where the run is now; also shown in the Web UI's Queries tab. */
  @QueryMethod
  RunProgress progress();

  /**
   * Sent by the lane just before it cancels this run for a newer one: the cancellation that follows
   * then ends the run {@code aborted}, "superseded by run N", instead of {@code cancelled}. Alone,
   * it changes nothing; a run that completes anyway keeps its own result.
   */
  @SignalMethod
  void supersededBy(long runId);
}
