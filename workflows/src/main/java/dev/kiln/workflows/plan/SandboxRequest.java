package dev.kiln.workflows.plan;

/**
 * What a plan asks of the sandbox its commands run in: {@code resources:} and {@code network:} in
 * kiln.yaml. A limit left {@code null} is the build worker's; one given is capped by the worker's
 * maximum, so a repository can ask for less than the worker allows, never for more.
 *
 * <p>Absent from plans recorded before sandboxes existed: readers treat a missing request as {@link
 * #DEFAULT}.
 *
 * @param memoryBytes memory of all the step's processes together
 * @param cpus CPU time per wall-clock second, in cores (1.5 = one and a half cores)
 * @param pids processes and threads at once
 * @param diskBytes what the workspace (with the run's home and temporary files) may hold
 * @param network {@code false}: the step gets an empty network namespace of its own; {@code null}
 *     or {@code true}: the host's network (builds download dependencies)
 */
public record SandboxRequest(
    Long memoryBytes, Double cpus, Integer pids, Long diskBytes, Boolean network) {

  /** Nothing asked: the worker's limits, network on. */
  public static final SandboxRequest DEFAULT = new SandboxRequest(null, null, null, null, null);

  /** {@code request}, or {@link #DEFAULT} when there is none (a plan from before sandboxes). */
  public static SandboxRequest orDefault(SandboxRequest request) {
    return request == null ? DEFAULT : request;
  }

  /** Whether the step may use the host's network. */
  public boolean networkOn() {
    return network == null || network;
  }
}
