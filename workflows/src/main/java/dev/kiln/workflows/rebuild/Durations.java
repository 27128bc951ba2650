package dev.kiln.workflows.rebuild;

import java.time.Duration;

/** Durations as people write them in settings and read them in failure summaries. */
public final class Durations {

  private Durations() {}

  /**
   * {@code 5m}, {@code 90s}, {@code 1h30m}, {@code 2d}: the largest units first, zero units left
   * out, whole seconds only (a fraction is dropped); {@code 0s} for zero. Deterministic, so safe in
   * workflow code.
   */
  public static String format(Duration duration) {
    long seconds = duration.getSeconds();
    if (seconds < 0) {
      throw new IllegalArgumentException("negative duration: " + duration);
    }
    if (seconds == 0) {
      return "0s";
    }
    StringBuilder text = new StringBuilder();
    seconds = append(text, seconds, 86_400, 'd');
    seconds = append(text, seconds, 3_600, 'h');
    seconds = append(text, seconds, 60, 'm');
    append(text, seconds, 1, 's');
    return text.toString();
  }

  private static long append(StringBuilder text, long seconds, long unit, char suffix) {
    long count = seconds / unit;
    if (count > 0) {
      text.append(count).append(suffix);
    }
    return seconds % unit;
  }
}
