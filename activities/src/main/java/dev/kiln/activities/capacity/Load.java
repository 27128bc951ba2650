package dev.kiln.activities.capacity;

/**
 * The machine's load at one moment, each as a fraction of the whole (0.0–1.0).
 *
 * @param cpu busy share of all CPUs since the previous reading
 * @param memory share of the machine's memory in use (not available for new processes)
 */
public record Load(double cpu, double memory) {

  public static final Load UNKNOWN = new Load(0, 0);
}
