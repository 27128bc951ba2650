package dev.kiln.api.runs;

import dev.kiln.workflows.activities.GateStatus;
import dev.kiln.workflows.activities.TestCounts;
import java.time.Instant;
import java.util.List;

/**
 * One row of {@code gate_runs}.
 *
 * @param tests {@code null} when the gate's runner reported no tests (yet)
 * @param failures its first failing tests from {@code test_results}, when read for a run view
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
    Instant finishedAt,
    List<RunView.Failure> failures) {

  public GateRunRecord {
    failures = failures == null ? List.of() : List.copyOf(failures);
  }

  /** A gate read without its failures. */
  public GateRunRecord(
      long runId,
      String name,
      int ordinal,
      boolean required,
      GateStatus status,
      String summary,
      TestCounts tests,
      Instant startedAt,
      Instant finishedAt) {
    this(runId, name, ordinal, required, status, summary, tests, startedAt, finishedAt, List.of());
  }
}
