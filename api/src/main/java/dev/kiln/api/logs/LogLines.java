package dev.kiln.api.logs;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Cuts a run's log into numbered lines, the numbers the run page shows and links to ({@code #L12})
 * and {@code ?grep=} answers with. The log is read in sequence order; steps interleave (Kiln's own
 * lines between a compiler's), and a chunk may end in the middle of a line, which the step's next
 * chunk continues. So each step has its own open line, and a line takes its number when its first
 * character arrives: numbers never change as a live log grows. A line ends at {@code \n}; a {@code
 * \r} before it is dropped. The run page's script applies the same rules.
 */
final class LogLines {

  /** Where whole lines go. */
  interface Sink {
    /**
     * @return false to stop reading
     */
    boolean line(long number, String step, String text);
  }

  /** Characters of a line kept for searching; the rest of a longer line is not searched. */
  static final int MAX_LINE_CHARS = 16 * 1024;

  private final Map<String, Open> open = new HashMap<>();
  private long next = 1;
  private long lines;

  private static final class Open {
    final long number;
    final StringBuilder text = new StringBuilder();

    Open(long number) {
      this.number = number;
    }

    void append(String s, int from, int to) {
      int room = MAX_LINE_CHARS - text.length();
      if (room > 0) {
        text.append(s, from, Math.min(to, from + room));
      }
    }
  }

  /**
   * Adds one chunk's text of {@code step}.
   *
   * @return false once the sink asked to stop
   */
  boolean accept(String step, String text, Sink sink) {
    int start = 0;
    while (start < text.length()) {
      Open line = open.computeIfAbsent(step, s -> new Open(next++));
      int newline = text.indexOf('\n', start);
      if (newline < 0) {
        line.append(text, start, text.length());
        return true;
      }
      int end = newline > start && text.charAt(newline - 1) == '\r' ? newline - 1 : newline;
      line.append(text, start, end);
      open.remove(step);
      start = newline + 1;
      lines++;
      if (!sink.line(line.number, step, line.text.toString())) {
        return false;
      }
    }
    return true;
  }

  /** The lines no newline ended yet (a live log, a build that printed no last newline). */
  void finish(Sink sink) {
    List<Map.Entry<String, Open>> rest = new ArrayList<>(open.entrySet());
    rest.sort(Comparator.comparingLong(e -> e.getValue().number));
    open.clear();
    for (Map.Entry<String, Open> e : rest) {
      lines++;
      if (!sink.line(e.getValue().number, e.getKey(), e.getValue().text.toString())) {
        return;
      }
    }
  }

  /** Lines handed to the sink so far. */
  long lines() {
    return lines;
  }
}
