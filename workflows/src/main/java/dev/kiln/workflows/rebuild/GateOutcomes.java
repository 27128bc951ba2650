package dev.kiln.workflows.rebuild;

import dev.kiln.workflows.activities.GateResult;
import dev.kiln.workflows.plan.GateSpec;

/**
 * The gate rules, apart from Temporal: gates run in order; the first failed required gate fails the
 * run and blocks the rest; a failed optional gate is reported and changes nothing else. A local run
 * ({@code kiln run --local}) follows them too.
 */
public final class GateOutcomes {

  private String failureSummary;

  /** Whether {@code gate} should still run, given the gates before it. */
  public boolean shouldRun(GateSpec gate) {
    return failureSummary == null;
  }

  public void record(GateSpec gate, GateResult result) {
    if (!result.passed() && gate.required() && failureSummary == null) {
      failureSummary = "gate " + gate.name() + " failed: " + result.summary();
    }
  }

  /** {@code null} while no required gate failed. */
  public String failureSummary() {
    return failureSummary;
  }
}
