package dev.kiln.api.runs;

/**
 * {@code GET /state}: where a lane is, by its newest run.
 *
 * @param elapsedS grows while the run builds, fixed once it finished
 * @param flaky the newest run is flaky, or it failed and its retry of the same commit passed as
 *     flaky: the lane is green, but not plainly
 * @param retryRunId the newest retry of the newest run (which builds in a lane of its own when it
 *     is pinned to the commit), or {@code null}
 */
public record LaneState(
    String lane,
    long runId,
    String sha,
    String phase,
    String result,
    long elapsedS,
    String failureSummary,
    boolean flaky,
    Long retryRunId) {}
