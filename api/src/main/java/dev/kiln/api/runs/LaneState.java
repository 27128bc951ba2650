package dev.kiln.api.runs;

/**
 * {@code GET /state}: where a lane is, by its newest run.
 *
 * @param elapsedS grows while the run builds, fixed once it finished
 */
public record LaneState(
    String lane,
    long runId,
    String sha,
    String phase,
    String result,
    long elapsedS,
    String failureSummary) {}
