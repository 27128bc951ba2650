package dev.kiln.api.logs;

import dev.kiln.api.web.ApiException;
import dev.kiln.workflows.LogChunk;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.springframework.stereotype.Service;

/**
 * {@code GET /runs/{id}/logs?grep=}: the lines of a run's log that match a regular expression (Java
 * syntax, {@code (?i)} for any case; {@code \Q…\E} or {@code literal=true} for plain text), with
 * the line numbers the run page shows ({@link LogLines}). ANSI escapes are removed before matching
 * and from the lines returned. Bounded three ways: at most {@code limit} matches, {@link #BUDGET}
 * of matching time (a pattern that backtracks without end stops there, saying so), and {@link
 * LogLines#MAX_LINE_CHARS} of each line.
 */
@Service
public class LogSearch {

  static final int DEFAULT_LIMIT = 200;
  static final int MAX_LIMIT = 1000;
  static final int MAX_PATTERN_CHARS = 1000;

  /** Characters of a matching line returned. */
  static final int MAX_TEXT_CHARS = 2000;

  static final Duration BUDGET = Duration.ofSeconds(5);

  private static final Pattern ANSI = Pattern.compile("\u001b(\\[[0-9;?]*[ -/]*[@-~]|[@-Z\\\\-_])");

  private final LogReader reader;
  private final LogChunkRepository chunks;

  public LogSearch(LogReader reader, LogChunkRepository chunks) {
    this.reader = reader;
    this.chunks = chunks;
  }

  /**
   * @param step only lines of this step ({@code compile}, {@code gate:unit}), numbered as in the
   *     whole log; {@code null} for all
   */
  public Matches search(long runId, String grep, boolean literal, String step, int limit) {
    Pattern pattern = compile(grep, literal);
    LogReader.LogSnapshot snapshot = reader.snapshot(runId, LogFilter.all());
    LogText text = new LogText(runId, chunks);
    LogLines lines = new LogLines();
    List<Match> found = new ArrayList<>();
    long deadline = System.nanoTime() + BUDGET.toNanos();
    String[] stopped = {null};
    LogLines.Sink sink =
        (number, lineStep, line) -> {
          if (step != null && !step.equals(lineStep)) {
            return true;
          }
          // per line too: a pattern that stays under the per-character check on every line of a
          // long log would otherwise search it all
          if (System.nanoTime() > deadline) {
            stopped[0] = "stopped after " + BUDGET.toSeconds() + " s of matching";
            return false;
          }
          // most lines hold no escape: a scan is far cheaper than the regex that removes them
          String plain = line.indexOf('\u001b') < 0 ? line : ANSI.matcher(line).replaceAll("");
          try {
            if (literal
                ? plain.contains(grep)
                : pattern.matcher(new Deadline(plain, deadline)).find()) {
              found.add(new Match(number, lineStep, cut(plain)));
              if (found.size() >= limit) {
                stopped[0] = "stopped at " + limit + " matches (limit)";
                return false;
              }
            }
          } catch (Deadline.Expired e) {
            stopped[0] = "stopped after " + BUDGET.toSeconds() + " s of matching";
            return false;
          } catch (StackOverflowError e) {
            // Java's regex engine recurses per repetition of an alternation: a long line can
            // exhaust the stack; the search ends there rather than failing the request
            stopped[0] = "stopped at line " + number + ": the pattern is too complex for it";
            return false;
          }
          return true;
        };
    long after = -1;
    boolean going = true;
    while (going && after < snapshot.upToSeq()) {
      List<LogChunk> page = reader.readPage(snapshot, after);
      for (LogChunk chunk : page) {
        after = chunk.seq();
        if (!lines.accept(chunk.step(), text.text(chunk), sink)) {
          going = false;
          break;
        }
      }
      if (page.size() < LogReader.PAGE) {
        break;
      }
    }
    if (going) {
      lines.finish(sink);
    }
    return new Matches(
        grep,
        literal ? "literal" : "regex",
        step,
        found,
        lines.lines(),
        stopped[0] != null,
        stopped[0]);
  }

  private static Pattern compile(String grep, boolean literal) {
    if (grep.isEmpty()) {
      throw ApiException.badRequest("grep: must not be empty");
    }
    if (grep.length() > MAX_PATTERN_CHARS) {
      throw ApiException.badRequest(
          "grep: at most " + MAX_PATTERN_CHARS + " characters, got " + grep.length());
    }
    if (literal) {
      return Pattern.compile(Pattern.quote(grep));
    }
    try {
      return Pattern.compile(grep);
    } catch (PatternSyntaxException e) {
      throw ApiException.badRequest(
          "grep: not a regular expression (Java syntax; literal=true searches for the text as it"
              + " is): "
              + e.getDescription()
              + " near index "
              + e.getIndex());
    }
  }

  private static String cut(String line) {
    return line.length() <= MAX_TEXT_CHARS ? line : line.substring(0, MAX_TEXT_CHARS) + "…";
  }

  /**
   * The answer.
   *
   * @param syntax {@code regex} or {@code literal}
   * @param linesSearched lines read before the search ended
   * @param truncated the search stopped before the end of the log: {@code note} says why
   */
  public record Matches(
      String grep,
      String syntax,
      String step,
      List<Match> matches,
      long linesSearched,
      boolean truncated,
      String note) {}

  /**
   * @param line the line's number in the whole log, 1-based, as the run page's {@code #L<line>}
   */
  public record Match(long line, String step, String text) {}

  /** A line that makes a regular expression give up once the search has run out of time. */
  private static final class Deadline implements CharSequence {

    static final class Expired extends RuntimeException {
      private static final long serialVersionUID = 1L;

      Expired() {
        super(null, null, false, false);
      }
    }

    private final CharSequence text;
    private final long deadlineNanos;
    private int reads;

    Deadline(CharSequence text, long deadlineNanos) {
      this.text = text;
      this.deadlineNanos = deadlineNanos;
    }

    @Override
    public char charAt(int index) {
      // a clock read on every character would double the cost of a plain search
      if ((++reads & 0xfff) == 0 && System.nanoTime() > deadlineNanos) {
        throw new Expired();
      }
      return text.charAt(index);
    }

    @Override
    public int length() {
      return text.length();
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return new Deadline(text.subSequence(start, end), deadlineNanos);
    }

    @Override
    public String toString() {
      return text.toString();
    }
  }
}
