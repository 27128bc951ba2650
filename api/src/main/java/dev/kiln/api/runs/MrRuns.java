package dev.kiln.api.runs;

import java.util.List;

/** {@code GET /mr-task/{mr}}: the merge request's runs, newest first. */
public record MrRuns(String mr, List<RunSummary> runs) {}
