package dev.kiln.activities.summary;

import java.util.ArrayList;
import java.util.List;

/**
 * Folds a multi-line assertion message into one line that keeps its values: {@code assertion `left
 * == right` failed} over {@code left: -1} and {@code right: 5} becomes {@code assertion `left ==
 * right` failed (left: -1, right: 5)}; {@code Expected values to be strictly equal:} over {@code -1
 * !== 5} becomes {@code Expected values to be strictly equal: -1 !== 5}.
 */
final class MessageLines {

  /** Lines after the first that are kept: the values, not a whole diff. */
  private static final int MAX_DETAIL_LINES = 4;

  private MessageLines() {}

  static String join(List<String> lines) {
    List<String> kept = new ArrayList<>();
    for (String raw : lines) {
      String line = clean(raw);
      if (!line.isEmpty()) {
        kept.add(line);
      }
      if (kept.size() > MAX_DETAIL_LINES + 1) {
        break;
      }
    }
    if (kept.isEmpty()) {
      return null;
    }
    StringBuilder text = new StringBuilder(kept.get(0));
    int next = 1;
    // "Expected values to be strictly equal:" introduces the line after it.
    if (text.charAt(text.length() - 1) == ':' && kept.size() > 1) {
      text.append(' ').append(kept.get(1));
      next = 2;
    }
    if (next < kept.size()) {
      List<String> details = kept.subList(next, Math.min(kept.size(), next + MAX_DETAIL_LINES));
      text.append(" (").append(String.join(", ", details)).append(')');
    }
    return Summaries.fit(text.toString(), TestFailure.MAX_MESSAGE);
  }

  static String join(String text) {
    return text == null ? null : join(text.lines().toList());
  }

  /** Colour codes out, indentation and pytest's {@code +} continuation markers off. */
  private static String clean(String raw) {
    String line = Ansi.strip(raw).strip();
    if (line.startsWith("+ ")) {
      line = line.substring(2).strip();
    }
    return line;
  }
}
