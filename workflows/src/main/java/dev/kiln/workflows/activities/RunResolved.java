package dev.kiln.workflows.activities;

import dev.kiln.workflows.plan.GateSpec;
import java.util.List;

/** What fetch learned about a run; the ledger records it and lists the gates as pending. */
public record RunResolved(
    long runId,
    String sha,
    String branch,
    String version,
    String host,
    String planOrigin,
    List<GateSpec> gates) {

  public RunResolved {
    gates = gates == null ? List.of() : List.copyOf(gates);
  }
}
