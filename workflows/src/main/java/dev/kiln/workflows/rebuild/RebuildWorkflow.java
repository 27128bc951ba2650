package dev.kiln.workflows.rebuild;

import dev.kiln.workflows.RebuildRequest;
import dev.kiln.workflows.RunOutcome;
import io.temporal.workflow.QueryMethod;
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
}
