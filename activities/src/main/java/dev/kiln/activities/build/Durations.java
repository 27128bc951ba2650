package dev.kiln.activities.build;

import java.time.Duration;

/** Durations as people write them in kiln.yaml: {@code 20m}, {@code 1h30m}, {@code 45s}. */
final class Durations {

  private Durations() {}

  static String brief(Duration duration) {
    long seconds = duration.toSeconds();
    StringBuilder text = new StringBuilder();
    if (seconds >= 3600) {
      text.append(seconds / 3600).append('h');
      seconds %= 3600;
    }
    if (seconds >= 60) {
      text.append(seconds / 60).append('m');
      seconds %= 60;
    }
    if (seconds > 0 || text.isEmpty()) {
      text.append(seconds).append('s');
    }
    return text.toString();
  }
}
