package dev.kiln.workflows.plan;

import java.util.List;

/**
 * A verification command (tests, lint). A failed {@code required} gate fails the run and blocks the
 * gates after it; a failed optional gate is reported and the run goes on.
 *
 * @param reports globs of JUnit XML reports, relative to the workspace
 * @param sandbox the plan's {@link PipelinePlan#sandbox()}, carried with each gate because a gate's
 *     activity gets the gate, not the plan; {@code null} as there
 * @param secrets the names of the repository's secrets the gate's command gets, as in {@link
 *     CommandStep#secrets()}: names only, never values
 */
public record GateSpec(
    String name,
    String run,
    List<String> reports,
    long timeoutSeconds,
    boolean required,
    SandboxRequest sandbox,
    List<String> secrets) {

  public GateSpec {
    reports = reports == null ? List.of() : List.copyOf(reports);
    secrets = secrets == null ? List.of() : List.copyOf(secrets);
  }

  /** A gate that gets no secrets. */
  public GateSpec(
      String name,
      String run,
      List<String> reports,
      long timeoutSeconds,
      boolean required,
      SandboxRequest sandbox) {
    this(name, run, reports, timeoutSeconds, required, sandbox, List.of());
  }

  /** A gate that asks nothing of the sandbox. */
  public GateSpec(
      String name, String run, List<String> reports, long timeoutSeconds, boolean required) {
    this(name, run, reports, timeoutSeconds, required, null, List.of());
  }

  /** This gate with the plan's sandbox request. */
  public GateSpec withSandbox(SandboxRequest request) {
    return new GateSpec(name, run, reports, timeoutSeconds, required, request, secrets);
  }
}
