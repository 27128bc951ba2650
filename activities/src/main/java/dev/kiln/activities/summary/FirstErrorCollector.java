package dev.kiln.activities.summary;

import dev.kiln.activities.summary.ErrorExcerpt.Kind;
import dev.kiln.activities.summary.ErrorPatterns.Expect;
import dev.kiln.activities.summary.ErrorPatterns.Match;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * Finds the first real error in a command's output as it streams by, in constant memory, so the
 * first compiler error is found even when the output runs to gigabytes and the log was cut long
 * before the end. Feed it lines ({@link #acceptLine}) or raw output bytes ({@link #acceptBytes},
 * which fits {@code dev.kiln.activities.process.OutputSink}), then ask for {@link #result()}.
 *
 * <p>Strongest evidence wins, and within one kind the first occurrence (see {@link
 * ErrorExcerpt.Kind}): a compiler error with a location beats Maven's "Failed to execute goal",
 * which beats make's "*** Error 1", which beats the last lines of output. Not thread-safe: feed it
 * from one thread, as an {@code OutputSink} is fed.
 */
public final class FirstErrorCollector {

  /** Lines are cut here: one minified-JavaScript line must not eat the memory budget. */
  static final int MAX_LINE_LENGTH = 2000;

  /** javac prints source line and caret between the error and its {@code symbol:}. */
  private static final int FOLLOW_UP_LINES = 4;

  private static final int TAIL_LINES = 5;
  private static final String TAIL_SEPARATOR = " | ";

  private final WorkspacePaths paths;
  private final Deque<String> tail = new ArrayDeque<>();
  private final ByteArrayOutputStream partialLine = new ByteArrayOutputStream();
  private Candidate best;
  private Candidate pending;

  /**
   * @param workspace absolute paths under it are shown relative to it; null to keep paths as is
   */
  public FirstErrorCollector(Path workspace) {
    this.paths = new WorkspacePaths(workspace);
  }

  /** Feeds raw output; lines are split on {@code \n} and decoded as UTF-8. */
  public void acceptBytes(byte[] buf, int off, int len) {
    // Whole runs between newlines at a time: this sees every byte a build prints.
    int end = off + len;
    int start = off;
    for (int i = off; i < end; i++) {
      if (buf[i] == '\n') {
        appendToLine(buf, start, i - start);
        flushPartialLine();
        start = i + 1;
      }
    }
    appendToLine(buf, start, end - start);
  }

  private void appendToLine(byte[] buf, int off, int len) {
    int room = MAX_LINE_LENGTH * 4 - partialLine.size();
    if (len > 0 && room > 0) {
      partialLine.write(buf, off, Math.min(len, room));
    }
  }

  /** Feeds one line of output, without its line terminator. */
  public void acceptLine(String rawLine) {
    String line = clean(rawLine);
    if (pending != null) {
      absorb(pending, line);
    }
    if (!ErrorPatterns.isNoise(line)) {
      // Indentation means nothing once lines are joined into one.
      remember(line.strip());
    }
    // Nothing beats a settled compiler error: spare the patterns for the rest of a huge log.
    if ((pending != null || best == null || best.kind != Kind.COMPILER)
        && ErrorPatterns.mightMatch(line)) {
      ErrorPatterns.match(line).ifPresent(this::consider);
    }
  }

  /**
   * The strongest error seen, or else the last lines of output; empty if the output had no
   * non-blank lines. Call it once the output has ended: an unterminated last line counts as a line.
   */
  public Optional<ErrorExcerpt> result() {
    flushPartialLine();
    settle();
    if (best != null) {
      return Optional.of(best.excerpt(paths));
    }
    return tailExcerpt();
  }

  /** The last non-blank, non-noise lines of output, oldest first, colour codes removed. */
  public List<String> lastLines() {
    flushPartialLine();
    return List.copyOf(tail);
  }

  private Optional<ErrorExcerpt> tailExcerpt() {
    if (tail.isEmpty()) {
      return Optional.empty();
    }
    // Keep the most recent lines whole; drop older ones first when they do not all fit.
    StringBuilder text = new StringBuilder();
    for (var it = tail.descendingIterator(); it.hasNext(); ) {
      String line = it.next();
      if (text.length() > 0
          && text.length() + TAIL_SEPARATOR.length() + line.length() > Summaries.MAX_LENGTH) {
        break;
      }
      text.insert(0, text.length() == 0 ? line : line + TAIL_SEPARATOR);
    }
    return Optional.of(new ErrorExcerpt(Kind.OUTPUT_TAIL, Summaries.fit(text.toString())));
  }

  private void consider(Match match) {
    settle();
    Kind reachable = match.expect() == Expect.LOCATION ? Kind.COMPILER : match.kind();
    if (best == null || reachable.compareTo(best.kind) < 0) {
      pending = new Candidate(match);
    }
  }

  /**
   * Lets the pending error take what it expects from {@code line}. Its window closes after a few
   * lines, or at the next error line, which may be a candidate of its own.
   */
  private void absorb(Candidate candidate, String line) {
    if (candidate.followUps-- <= 0 || ErrorPatterns.match(line).isPresent()) {
      settle();
      return;
    }
    switch (candidate.expect) {
      case LOCATION -> ErrorPatterns.location(line).ifPresent(candidate::locate);
      case MESSAGE -> candidate.message(line);
      case DETAIL -> ErrorPatterns.detail(line).ifPresent(candidate::detail);
    }
  }

  private void settle() {
    if (pending == null) {
      return;
    }
    if (!pending.message.isEmpty() && (best == null || pending.kind.compareTo(best.kind) < 0)) {
      best = pending;
    }
    pending = null;
  }

  private void remember(String line) {
    tail.addLast(line);
    if (tail.size() > TAIL_LINES) {
      tail.removeFirst();
    }
  }

  private void flushPartialLine() {
    if (partialLine.size() > 0) {
      String line = partialLine.toString(StandardCharsets.UTF_8);
      partialLine.reset();
      acceptLine(line);
    }
  }

  /** Colour codes out, progress-bar overwrites resolved, workspace paths made relative. */
  private String clean(String raw) {
    String line = Ansi.strip(raw);
    if (line.endsWith("\r")) {
      line = line.substring(0, line.length() - 1);
    }
    // "\r" redraws the line on a terminal: what remains visible is the text after the last one.
    line = line.substring(line.lastIndexOf('\r') + 1).stripTrailing();
    line = paths.relativize(line);
    return line.length() > MAX_LINE_LENGTH ? line.substring(0, MAX_LINE_LENGTH) : line;
  }

  /** An error being assembled from its line and the few after it. */
  private static final class Candidate {
    private Kind kind;
    private String location;
    private String message;
    private String detail;
    private Expect expect;
    private int followUps = FOLLOW_UP_LINES;

    Candidate(Match match) {
      this.kind = match.kind();
      this.location = match.location();
      this.message = match.message();
      this.expect = match.expect();
    }

    void locate(String where) {
      location = where;
      kind = Kind.COMPILER;
      expect = Expect.DETAIL;
    }

    void message(String line) {
      if (!line.isBlank()) {
        message = line.strip();
        expect = Expect.DETAIL;
      }
    }

    void detail(String text) {
      detail = text;
      followUps = 0;
    }

    ErrorExcerpt excerpt(WorkspacePaths paths) {
      String text = location == null ? message : paths.tidy(location) + ": " + message;
      return new ErrorExcerpt(kind, detail == null ? text : text + " (" + detail + ")");
    }
  }
}
