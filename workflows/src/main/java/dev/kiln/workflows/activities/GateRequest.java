package dev.kiln.workflows.activities;

import dev.kiln.workflows.plan.GateSpec;
import java.util.Map;

/**
 * @param env the plan's extra environment
 * @param reportsStart whether the host tells the ledger that the gate is running, as it starts it,
 *     instead of the workflow (false in requests recorded before the workflow's {@code
 *     gate-start-by-host} version)
 */
public record GateRequest(
    RunContext run,
    String workspace,
    GateSpec gate,
    Map<String, String> env,
    long logSeqBase,
    boolean reportsStart) {

  public GateRequest {
    env = env == null ? Map.of() : Map.copyOf(env);
  }

  /** A gate whose start the workflow reports. */
  public GateRequest(
      RunContext run, String workspace, GateSpec gate, Map<String, String> env, long logSeqBase) {
    this(run, workspace, gate, env, logSeqBase, false);
  }
}
