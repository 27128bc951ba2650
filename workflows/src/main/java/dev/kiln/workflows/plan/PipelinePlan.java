package dev.kiln.workflows.plan;

import java.util.List;
import java.util.Map;

/**
 * What a run builds, read from {@code kiln.yaml} or detected from the build system.
 *
 * @param origin a human sentence for the log: "kiln.yaml" or "detected Maven: pom.xml, ./mvnw"
 * @param artifacts globs of files to stage, relative to the workspace
 * @param env extra environment for every command
 * @param sandbox what the plan asks of the sandbox (kiln.yaml {@code resources:} and {@code
 *     network:}); {@code null} in plans recorded before sandboxes, read as {@link
 *     SandboxRequest#DEFAULT}
 * @param requires labels a build host must have to build this plan (kiln.yaml {@code requires:});
 *     empty in detected plans and plans recorded before it
 */
public record PipelinePlan(
    String origin,
    List<CommandStep> compile,
    List<String> artifacts,
    List<GateSpec> gates,
    Map<String, String> env,
    SandboxRequest sandbox,
    List<String> requires) {

  public PipelinePlan {
    requires = requires == null ? List.of() : List.copyOf(requires);
    compile = compile == null ? List.of() : List.copyOf(compile);
    artifacts = artifacts == null ? List.of() : List.copyOf(artifacts);
    gates = gates == null ? List.of() : List.copyOf(gates);
    env = env == null ? Map.of() : Map.copyOf(env);
  }

  /** A plan that any host of the arch may build. */
  public PipelinePlan(
      String origin,
      List<CommandStep> compile,
      List<String> artifacts,
      List<GateSpec> gates,
      Map<String, String> env,
      SandboxRequest sandbox) {
    this(origin, compile, artifacts, gates, env, sandbox, List.of());
  }

  /** A plan that asks nothing of the sandbox (detected plans, tests). */
  public PipelinePlan(
      String origin,
      List<CommandStep> compile,
      List<String> artifacts,
      List<GateSpec> gates,
      Map<String, String> env) {
    this(origin, compile, artifacts, gates, env, null);
  }
}
