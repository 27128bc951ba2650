package dev.kiln.workflows.activities;

import dev.kiln.workflows.plan.GateSpec;
import java.util.Map;

/**
 * @param env the plan's extra environment
 */
public record GateRequest(
    RunContext run, String workspace, GateSpec gate, Map<String, String> env, long logSeqBase) {

  public GateRequest {
    env = env == null ? Map.of() : Map.copyOf(env);
  }
}
