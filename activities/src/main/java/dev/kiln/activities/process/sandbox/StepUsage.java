package dev.kiln.activities.process.sandbox;

/**
 * What one build step used, from its cgroup.
 *
 * @param peakMemoryBytes the highest memory use of the step's processes together (page cache
 *     included, as the limit counts it), or {@code null} when nothing measured it
 * @param cpuMillis CPU time of all its processes, user and system, or {@code null}
 */
public record StepUsage(Long peakMemoryBytes, Long cpuMillis) {

  /** Nothing measured (no cgroup). */
  public static final StepUsage UNKNOWN = new StepUsage(null, null);
}
