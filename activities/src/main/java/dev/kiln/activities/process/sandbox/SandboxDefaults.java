package dev.kiln.activities.process.sandbox;

import dev.kiln.workflows.Durations;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * The sandbox profile a build step gets unless its operator says otherwise, and how the operator's
 * words ({@code kiln.worker.sandbox}, {@code …sandbox-limits}, {@code …limits.*}) read. One place
 * for a build worker's configuration (whose property defaults are these constants) and a local run
 * ({@code kiln run --local}), so a build on a developer's machine is isolated and limited as it is
 * on a build host.
 */
public final class SandboxDefaults {

  /** {@code kiln.worker.sandbox}: bubblewrap, failing closed without it. */
  public static final String SANDBOX = "bwrap";

  /** {@code kiln.worker.sandbox-limits}: a cgroup per step. */
  public static final String SANDBOX_LIMITS = "cgroup";

  /** {@code kiln.worker.limits.memory}: empty means a share of the machine's ({@link #maxima}). */
  public static final String MEMORY = "";

  /** {@code kiln.worker.limits.cpus}: 0 means all of the machine's cores. */
  public static final String CPUS = "0";

  /** {@code kiln.worker.limits.pids}: processes and threads of a step at once. */
  public static final String PIDS = "4096";

  /** {@code kiln.worker.limits.disk}: workspace, run home and temporary files together. */
  public static final String DISK = "50g";

  /** {@code kiln.worker.limits.timeout}: the longest any step may run. */
  public static final String TIMEOUT = "24h";

  /** {@code kiln.worker.grace-period}: SIGTERM → SIGKILL delay when a command is cancelled. */
  public static final String GRACE_PERIOD = "10s";

  /** The share of the machine's memory the build slots get together by default. */
  private static final double MEMORY_SHARE = 0.8;

  private SandboxDefaults() {}

  /** {@code kiln.worker.sandbox}'s value as a mode. */
  public static Sandboxes.Mode mode(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "bwrap" -> Sandboxes.Mode.BWRAP;
      case "none" -> Sandboxes.Mode.NONE;
      case "auto" -> Sandboxes.Mode.AUTO;
      default ->
          throw new IllegalArgumentException(
              "kiln.worker.sandbox: \"" + text + "\" is not one of bwrap, none, auto");
    };
  }

  /** {@code kiln.worker.sandbox-limits}'s value as what enforces the limits. */
  public static SandboxSettings.Enforcement enforcement(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "cgroup" -> SandboxSettings.Enforcement.CGROUP;
      case "prlimit" -> SandboxSettings.Enforcement.PRLIMIT;
      default ->
          throw new IllegalArgumentException(
              "kiln.worker.sandbox-limits: \"" + text + "\" is not one of cgroup, prlimit");
    };
  }

  /** The default maximums of a step on this machine, running {@code slots} builds at once. */
  public static ResourceLimits maxima(int slots) {
    return maxima(
        MEMORY,
        Double.parseDouble(CPUS),
        Integer.parseInt(PIDS),
        DISK,
        duration("kiln.worker.limits.timeout", TIMEOUT),
        slots,
        Runtime.getRuntime().availableProcessors(),
        physicalMemory());
  }

  /**
   * The maximums of a step on a machine with {@code cores} and {@code physicalMemory} bytes that
   * runs {@code slots} builds at once.
   *
   * @param memory e.g. {@code 8g}; empty: 80 % of the machine's memory shared by the build slots,
   *     at least 1 GiB
   * @param cpus cores' worth of CPU time; 0: all of the machine's cores
   */
  public static ResourceLimits maxima(
      String memory,
      double cpus,
      int pids,
      String disk,
      Duration timeout,
      int slots,
      int cores,
      long physicalMemory) {
    long memoryBytes =
        memory.isBlank()
            ? Math.max(ByteSizes.GIB, (long) (physicalMemory * MEMORY_SHARE / Math.max(1, slots)))
            : size("kiln.worker.limits.memory", memory);
    long diskBytes = size("kiln.worker.limits.disk", disk);
    try {
      return new ResourceLimits(memoryBytes, cpus > 0 ? cpus : cores, pids, diskBytes, timeout);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("kiln.worker.limits: " + e.getMessage(), e);
    }
  }

  /** The default grace period. */
  public static Duration gracePeriod() {
    return duration("kiln.worker.grace-period", GRACE_PERIOD);
  }

  /** This machine's memory, in bytes. */
  public static long physicalMemory() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getTotalMemorySize();
  }

  private static long size(String property, String text) {
    return parsed(property, text, ByteSizes.parse(text), "a size (" + ByteSizes.HINT + ")");
  }

  private static Duration duration(String property, String text) {
    return parsed(property, text, Durations.parse(text), "a duration (" + Durations.HINT + ")");
  }

  private static <T> T parsed(String property, String text, Optional<T> value, String what) {
    return value.orElseThrow(
        () -> new IllegalArgumentException(property + ": \"" + text + "\" is not " + what));
  }
}
