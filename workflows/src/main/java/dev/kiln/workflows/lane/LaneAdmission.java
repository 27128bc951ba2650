package dev.kiln.workflows.lane;

/**
 * The answer to {@link LaneWorkflow#submit}: the lane took the run.
 *
 * @param runWorkflowId the child workflow that will build it, {@code kiln-run-<runId>}
 * @param building the run the lane was building when it took this one (which this one will
 *     supersede if it is newer), or {@code null} when the lane was idle
 */
public record LaneAdmission(long runId, String lane, String runWorkflowId, Long building) {}
