package dev.kiln.activities.pipeline;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Timeouts as kiln.yaml writes them: hours, minutes and seconds, largest first, no spaces: {@code
 * 90s}, {@code 20m}, {@code 1h30m}, {@code 2h0m15s}. Milliseconds are not accepted: a plan stores
 * whole seconds, and a build command that must finish within a second has no use for a timeout.
 */
final class Durations {

  /** Longer than any sane build step, short enough to catch a unit mistake ("600h"). */
  static final Duration MAX = Duration.ofHours(24);

  static final String HINT = "use 90s, 20m, 1h";

  private static final Pattern FORMAT =
      Pattern.compile("(?:(\\d{1,5})h)?(?:(\\d{1,5})m)?(?:(\\d{1,7})s)?");

  private Durations() {}

  /** The duration {@code text} spells, or empty if it is not in the format above. */
  static Optional<Duration> parse(String text) {
    Matcher m = FORMAT.matcher(text);
    if (text.isEmpty() || !m.matches()) {
      return Optional.empty();
    }
    return Optional.of(
        Duration.ofHours(group(m, 1)).plusMinutes(group(m, 2)).plusSeconds(group(m, 3)));
  }

  private static long group(Matcher m, int group) {
    return m.group(group) == null ? 0 : Long.parseLong(m.group(group));
  }
}
