package dev.kiln.activities.process.sandbox;

/**
 * A step's {@code cpus} as the scheduler understands it. Its cgroup competes for CPU as one entity,
 * with the weight of one process unless told otherwise: a {@code make -j2} in a cgroup would get
 * half of what the same two compilers get outside one, whenever the host is busy. So a step of
 * {@code n} cpus gets the weight of {@code n} processes, and a quota of {@code n} cores only when
 * that is less than the machine has (a quota the step cannot exceed anyway only costs throttling
 * overhead).
 *
 * <p>The cgroups between the worker's own and its steps' ({@code kiln}, {@code kiln/<worker>})
 * weigh as many processes as the machine has cores: what a build run by hand with {@code make -jN}
 * would weigh. With the default (one process' worth), every build of the worker together got, on a
 * busy host, what one process outside a cgroup gets: a sandboxed build ran several times slower
 * than the same build run by hand beside it.
 */
final class CpuShare {

  static final long PERIOD_MICROS = 100_000;

  private CpuShare() {}

  /** cgroup v1 {@code cpu.shares}: 1024 per process' worth. */
  static long shares(double cpus) {
    return Math.max(2, Math.min(262_144, Math.round(1024 * cpus)));
  }

  /** cgroup v2 {@code cpu.weight}: 100 per process' worth. */
  static long weight(double cpus) {
    return Math.max(1, Math.min(10_000, Math.round(100 * cpus)));
  }

  /** cgroup v1 {@code cpu.shares} of the cgroups holding a worker's steps. */
  static long buildsShares() {
    return shares(Runtime.getRuntime().availableProcessors());
  }

  /** cgroup v2 {@code cpu.weight} of the cgroups holding a worker's steps. */
  static long buildsWeight() {
    return weight(Runtime.getRuntime().availableProcessors());
  }

  /** The quota per {@link #PERIOD_MICROS}, or -1 for none (as many cores as the machine has). */
  static long quotaMicros(double cpus) {
    return quotaMicros(cpus, Runtime.getRuntime().availableProcessors());
  }

  static long quotaMicros(double cpus, int machineCpus) {
    if (cpus >= machineCpus) {
      return -1;
    }
    return Math.max(1000, Math.round(cpus * PERIOD_MICROS));
  }
}
