package dev.kiln.api.runs;

import dev.kiln.workflows.Result;
import java.time.Instant;

/**
 * What {@code GET /runs} asks for; {@code null} fields do not filter.
 *
 * @param branch matches the resolved branch, or the requested ref while the run is not resolved
 * @param since runs queued at or after this instant
 * @param before runs with a smaller id (the page cursor)
 */
public record RunFilter(
    String repo,
    String branch,
    String mr,
    String arch,
    Result result,
    Instant since,
    Long before) {}
