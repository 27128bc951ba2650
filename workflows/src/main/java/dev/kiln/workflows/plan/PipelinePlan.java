package dev.kiln.workflows.plan;

import java.util.List;
import java.util.Map;

/**
 * What a run builds, read from {@code kiln.yaml} or detected from the build system.
 *
 * @param origin a human sentence for the log: "kiln.yaml" or "detected Maven: pom.xml, ./mvnw"
 * @param artifacts globs of files to stage, relative to the workspace
 * @param env extra environment for every command
 */
public record PipelinePlan(
    String origin,
    List<CommandStep> compile,
    List<String> artifacts,
    List<GateSpec> gates,
    Map<String, String> env) {

  public PipelinePlan {
    compile = compile == null ? List.of() : List.copyOf(compile);
    artifacts = artifacts == null ? List.of() : List.copyOf(artifacts);
    gates = gates == null ? List.of() : List.copyOf(gates);
    env = env == null ? Map.of() : Map.copyOf(env);
  }
}
