package dev.kiln.activities.capacity;

/**
 * Above these a worker takes no new build: builds already running finish, the rest wait in
 * Temporal's queue for this or another host.
 *
 * <p>A limit of 1 never pauses: a fully busy machine reads exactly 1.0, and a limit of 1 means the
 * operator wants no limit.
 *
 * @param maxCpu fraction of all CPUs, e.g. 0.85
 * @param maxMemory fraction of the machine's memory, e.g. 0.85
 */
public record LoadLimits(double maxCpu, double maxMemory) {

  public LoadLimits {
    check("max-cpu", maxCpu);
    check("max-memory", maxMemory);
  }

  public boolean admits(Load load) {
    return pauseReason(load) == null;
  }

  /** Why a worker with this load takes no new build, or null when it would. */
  public String pauseReason(Load load) {
    if (maxCpu < 1 && load.cpu() >= maxCpu) {
      return "CPU at " + percent(load.cpu()) + " (limit " + percent(maxCpu) + ")";
    }
    if (maxMemory < 1 && load.memory() >= maxMemory) {
      return "memory at " + percent(load.memory()) + " (limit " + percent(maxMemory) + ")";
    }
    return null;
  }

  public static String percent(double fraction) {
    return Math.round(fraction * 100) + "%";
  }

  private static void check(String name, double limit) {
    if (!(limit > 0 && limit <= 1)) {
      throw new IllegalArgumentException(
          "kiln.worker." + name + " must be a fraction in (0, 1], got " + limit);
    }
  }
}
