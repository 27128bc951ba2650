package dev.kiln.api.runs;

import java.time.Instant;

/** A run in {@code GET /runs}: the run view without its gates and artifacts. */
public record RunSummary(
    long runId,
    String repo,
    String ref,
    String branch,
    String sha,
    String arch,
    String lane,
    String mr,
    String priority,
    String version,
    String phase,
    String result,
    Instant queuedAt,
    Instant startedAt,
    Instant finishedAt,
    long elapsedS,
    String failureSummary,
    Long supersededBy,
    String cancelledBy,
    RunView.Temporal temporal) {}
