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

  /** Bytes kept of a line being assembled: {@link #MAX_LINE_LENGTH} characters at most. */
  private static final int MAX_LINE_BYTES = MAX_LINE_LENGTH * 4;

  /**
   * How much of the latest run of skipped lines is kept (at least; up to twice as much): room for
   * the tail's lines unless the run ends in more than this of blank or noise lines.
   */
  private static final int SKIPPED_WINDOW = 16 * 1024;

  /** javac prints source line and caret between the error and its {@code symbol:}. */
  private static final int FOLLOW_UP_LINES = 4;

  private static final int TAIL_LINES = 5;
  private static final String TAIL_SEPARATOR = " | ";

  private final WorkspacePaths paths;
  private final Deque<String> tail = new ArrayDeque<>();
  private final ByteArrayOutputStream partialLine = new ByteArrayOutputStream();
  private final byte[] skipped = new byte[2 * SKIPPED_WINDOW];
  private int skippedLength;
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
    // This sees every byte a build prints, so most lines take a fast path: a line no pattern can
    // match (no ':', no "npm "), while no error waits for its follow-up lines, only matters if it
    // ends up among the last lines; it is kept as bytes and decoded only if it does.
    int end = off + len;
    int start = off;
    int runStart = off;
    boolean suspect = false;
    for (int i = off; i < end; i++) {
      byte b = buf[i];
      if (b == '\n') {
        boolean skippable =
            !suspect && pending == null && partialLine.size() == 0 && i - start <= MAX_LINE_BYTES;
        if (!skippable) {
          skipRun(buf, runStart, start);
          appendToLine(buf, start, i - start);
          flushPartialLine();
          runStart = i + 1;
        }
        start = i + 1;
        suspect = false;
      } else if (b == ':' || (b == ' ' && isNpmBefore(buf, start, i))) {
        suspect = true;
      }
    }
    skipRun(buf, runStart, start);
    appendToLine(buf, start, end - start);
  }

  private static boolean isNpmBefore(byte[] buf, int lineStart, int space) {
    return space - 3 >= lineStart
        && buf[space - 3] == 'n'
        && buf[space - 2] == 'p'
        && buf[space - 1] == 'm';
  }

  /** Keeps the end of a run of skipped whole lines, in case they turn out to be the last ones. */
  private void skipRun(byte[] buf, int from, int to) {
    if (to <= from) {
      return;
    }
    if (to - from > SKIPPED_WINDOW) {
      from = lineStartAtOrAfter(buf, to - SKIPPED_WINDOW, from);
      skippedLength = 0;
    }
    int length = to - from;
    if (skippedLength + length > skipped.length) {
      int keep = skipped.length - length;
      int cut = lineStartAtOrAfter(skipped, skippedLength - keep, 0);
      System.arraycopy(skipped, cut, skipped, 0, skippedLength - cut);
      skippedLength -= cut;
    }
    System.arraycopy(buf, from, skipped, skippedLength, length);
    skippedLength += length;
  }

  private static int lineStartAtOrAfter(byte[] buf, int position, int floor) {
    int p = Math.max(position, floor);
    while (p > floor && buf[p - 1] != '\n') {
      p++;
    }
    return p;
  }

  /**
   * Remembers the skipped lines as {@link #acceptLine} would have: only the last few non-noise ones
   * can still be in the tail, so only they are decoded.
   */
  private void catchUpSkipped() {
    if (skippedLength == 0) {
      return;
    }
    Deque<String> last = new ArrayDeque<>();
    int end = skippedLength - 1; // the '\n' of the last line
    while (end >= 0 && last.size() < TAIL_LINES) {
      int start = end;
      while (start > 0 && skipped[start - 1] != '\n') {
        start--;
      }
      String line = clean(new String(skipped, start, end - start, StandardCharsets.UTF_8));
      if (!ErrorPatterns.isNoise(line)) {
        last.addFirst(line.strip());
      }
      end = start - 1;
    }
    skippedLength = 0;
    last.forEach(this::remember);
  }

  private void appendToLine(byte[] buf, int off, int len) {
    int room = MAX_LINE_BYTES - partialLine.size();
    if (len > 0 && room > 0) {
      partialLine.write(buf, off, Math.min(len, room));
    }
  }

  /** Feeds one line of output, without its line terminator. */
  public void acceptLine(String rawLine) {
    catchUpSkipped();
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
    catchUpSkipped();
    flushPartialLine();
    settle();
    if (best != null) {
      return Optional.of(best.excerpt(paths));
    }
    return tailExcerpt();
  }

  /** The last non-blank, non-noise lines of output, oldest first, colour codes removed. */
  public List<String> lastLines() {
    catchUpSkipped();
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
