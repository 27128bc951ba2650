package dev.kiln.workflows.retention;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Removes the logs and artifacts of runs past their retention ({@code kiln.retention}), started
 * daily by the schedule {@link RetentionSchedule#ID} on the control queue. The api decides which
 * runs are due; this workflow only asks until nothing more is.
 */
@WorkflowInterface
public interface RetentionWorkflow {

  @WorkflowMethod
  RetentionResult removeDue();
}
