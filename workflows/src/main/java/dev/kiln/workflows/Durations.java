package dev.kiln.workflows;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them in {@code kiln.yaml} and settings and read them in failure
 * summaries: hours, minutes and seconds, largest first, no spaces — {@code 90s}, {@code 20m},
 * {@code 1h30m}. Deterministic, so safe in workflow code.
 */
public final class Durations {

  /** Longer than any sane build step, short enough to catch a unit mistake ("600h"). */
  public static final Duration MAX_STEP = Duration.ofHours(24);

  /** What to write instead, for an error message about a duration that does not parse. */
  public static final String HINT = "use 90s, 20m, 1h";

  private static final Pattern FORMAT =
      Pattern.compile("(?:(\\d{1,5})h)?(?:(\\d{1,5})m)?(?:(\\d{1,7})s)?");

  private Durations() {}

  /**
   * The duration {@code text} spells ({@code 90s}, {@code 20m}, {@code 1h30m}, {@code 2h0m15s}), or
   * empty if it is not written that way. Milliseconds are not accepted: a plan stores whole
   * seconds, and a step that must finish within a second has no use for a timeout.
   */
  public static Optional<Duration> parse(String text) {
    Matcher m = FORMAT.matcher(text);
    if (text.isEmpty() || !m.matches()) {
      return Optional.empty();
    }
    return Optional.of(
        Duration.ofHours(group(m, 1)).plusMinutes(group(m, 2)).plusSeconds(group(m, 3)));
  }

  /**
   * {@code 5m}, {@code 90s} as {@code 1m30s}, {@code 1h30m}: the largest units first, zero units
   * left out, whole seconds only (a fraction is dropped); {@code 0s} for zero. What {@link #parse}
   * reads back.
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

  private static long group(Matcher m, int group) {
    return m.group(group) == null ? 0 : Long.parseLong(m.group(group));
  }
}
