package dev.kiln.workflows.activities;

import dev.kiln.workflows.Phase;
import dev.kiln.workflows.plan.GateSpec;
import java.util.List;

/**
 * What fetch learned about a run; the ledger records it and lists the gates as pending.
 *
 * @param entering the phase the run enters with it, recorded right after it in the same report
 *     ({@code compiling}); {@code null} when the phase is reported apart, as runs recorded before
 *     the workflow's {@code leaner-reports} version do
 */
public record RunResolved(
    long runId,
    String sha,
    String branch,
    String version,
    String host,
    String planOrigin,
    List<GateSpec> gates,
    Phase entering) {

  public RunResolved {
    gates = gates == null ? List.of() : List.copyOf(gates);
  }
}
