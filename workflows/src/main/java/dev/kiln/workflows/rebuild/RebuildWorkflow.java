package dev.kiln.workflows.rebuild;

import dev.kiln.workflows.RebuildRequest;
import dev.kiln.workflows.RunOutcome;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.OptionalLong;

/**
 * One build of one commit: fetch, compile, stage, gates, cleanup. Workflow id {@code
 * kiln-run-<runId>}, task queue {@code kiln-control}.
 */
@WorkflowInterface
public interface RebuildWorkflow {

  String WORKFLOW_ID_PREFIX = "kiln-run-";

  static String workflowId(long runId) {
    return WORKFLOW_ID_PREFIX + runId;
  }

  /** The run id in a workflow id made by {@link #workflowId}; empty for any other id. */
  static OptionalLong runIdOf(String workflowId) {
    if (workflowId == null || !workflowId.startsWith(WORKFLOW_ID_PREFIX)) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(workflowId.substring(WORKFLOW_ID_PREFIX.length())));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
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
