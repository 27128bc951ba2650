package dev.kiln.api.runs;

import java.util.List;

/**
 * {@code GET /runs}: one page, newest first.
 *
 * @param next the link to the following page, or {@code null} on the last one
 */
public record RunPage(List<RunSummary> runs, String next) {}
