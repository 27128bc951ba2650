package dev.kiln.api.runs;

import dev.kiln.workflows.activities.GateStatus;
import dev.kiln.workflows.activities.TestCounts;
import java.time.Instant;

/**
 * One row of {@code gate_runs}.
 *
 * @param tests {@code null} when the gate produced no JUnit reports (yet)
 */
public record GateRunRecord(
    long runId,
    String name,
    int ordinal,
    boolean required,
    GateStatus status,
    String summary,
    TestCounts tests,
    Instant startedAt,
    Instant finishedAt) {}
