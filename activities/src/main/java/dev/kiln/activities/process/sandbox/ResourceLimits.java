package dev.kiln.activities.process.sandbox;

import dev.kiln.workflows.plan.SandboxRequest;
import java.time.Duration;
import java.util.Locale;

/**
 * The limits a build step runs under: the worker's maximums, or what the plan asked for where that
 * is less.
 *
 * @param memoryBytes memory of all the step's processes together; past it the kernel's OOM killer
 *     acts and the step is killed
 * @param cpus CPU time per second of wall clock, in cores
 * @param pids processes and threads at once: a fork bomb stops here
 * @param diskBytes what the workspace, the run's home and the step's temporary files may hold
 *     together (apparent sizes, so a sparse file counts at its full length)
 * @param timeout the longest a step may run, whatever its plan says
 */
public record ResourceLimits(
    long memoryBytes, double cpus, int pids, long diskBytes, Duration timeout) {

  public ResourceLimits {
    if (memoryBytes < ByteSizes.MIB) {
      throw new IllegalArgumentException("memory limit below 1 MiB: " + memoryBytes);
    }
    if (!(cpus > 0)) {
      throw new IllegalArgumentException("cpus must be positive: " + cpus);
    }
    if (pids < 2) {
      throw new IllegalArgumentException("a step needs at least 2 processes: " + pids);
    }
    if (diskBytes <= 0) {
      throw new IllegalArgumentException("disk limit must be positive: " + diskBytes);
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
  }

  /** These limits, lowered where {@code request} asks for less; more is never granted. */
  public ResourceLimits cappedBy(SandboxRequest request) {
    SandboxRequest r = SandboxRequest.orDefault(request);
    return new ResourceLimits(
        r.memoryBytes() == null ? memoryBytes : Math.min(memoryBytes, r.memoryBytes()),
        r.cpus() == null ? cpus : Math.min(cpus, r.cpus()),
        r.pids() == null ? pids : Math.min(pids, r.pids()),
        r.diskBytes() == null ? diskBytes : Math.min(diskBytes, r.diskBytes()),
        timeout);
  }

  /** How many parallel jobs the step should run ({@code KILN_CPUS}): whole cores, at least one. */
  public int jobs(int hostCpus) {
    return (int) Math.max(1, Math.min(hostCpus, Math.ceil(cpus)));
  }

  /** For the build log: "memory 4 GiB, 2 CPUs, 2048 processes, disk 10 GiB". */
  public String describe() {
    return "memory "
        + ByteSizes.format(memoryBytes)
        + ", "
        + cpusText()
        + (cpus == 1 ? " CPU" : " CPUs")
        + ", "
        + pids
        + " processes, disk "
        + ByteSizes.format(diskBytes);
  }

  private String cpusText() {
    return cpus == Math.rint(cpus)
        ? Long.toString((long) cpus)
        : String.format(Locale.ROOT, "%.2f", cpus).replaceAll("0+$", "");
  }
}
