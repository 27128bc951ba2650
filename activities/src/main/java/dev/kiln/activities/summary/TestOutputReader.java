package dev.kiln.activities.summary;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.activities.process.OutputSink;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads test results from a gate's output as it streams to the log, for runners whose results come
 * on their output rather than in a file: {@code go test -json} (test2json events), {@code buck2
 * test}'s console, {@code cargo test} (libtest's human output), TAP (tape, node-tap, prove,
 * node's test runner without a terminal) and pytest's console.
 *
 * <p>test2json events are for machines: the log gets the text each {@code output} event carries, as
 * {@code go test} without {@code -json} would have printed it, and the other events not at all.
 * Every other byte passes through untouched and at once; only a line that starts with {@code {} is
 * held until its end, to tell an event from other output. Not thread-safe, like any {@link
 * OutputSink}.
 */
public final class TestOutputReader implements OutputSink {

  private static final Logger log = LoggerFactory.getLogger(TestOutputReader.class);

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A line held back longer than this is not an event: it is passed on as it is. */
  private static final int MAX_HELD_LINE = 1 << 20;

  /** What line parsers see of a line: test names and panic messages, not minified blobs. */
  private static final int MAX_PARSED_LINE = 8 * 1024;

  private final OutputSink downstream;
  private final GoTestEvents go;
  private final LibtestOutput libtest;
  private final TapOutput tap;
  private final Buck2Output buck2;
  private final PytestOutput pytest;
  private final LineBuffer line = new LineBuffer();
  private boolean atLineStart = true;
  private boolean holding;
  private boolean lineTooLong;
  private boolean parsingFailed;

  /**
   * @param workspace paths under it are shown relative to it
   * @param downstream the log and the error collector: output as a person reads it
   */
  public TestOutputReader(Path workspace, OutputSink downstream) {
    this.downstream = downstream;
    FailureLocator locator = new FailureLocator(new WorkspacePaths(workspace));
    this.go = new GoTestEvents(locator);
    this.libtest = new LibtestOutput(locator);
    this.tap = new TapOutput(locator);
    this.buck2 = new Buck2Output(locator);
    this.pytest = new PytestOutput(locator);
  }

  @Override
  public void write(byte[] buf, int off, int len) {
    int end = off + len;
    // Bytes from passFrom on go downstream in one piece: a log of a billion short lines must not
    // cost a billion calls. -1 while a line is held back.
    int passFrom = holding ? -1 : off;
    int i = off;
    while (i < end) {
      if (atLineStart) {
        atLineStart = false;
        holding = buf[i] == '{';
        if (holding) {
          forward(buf, passFrom, i);
          passFrom = -1;
        }
      }
      int newline = indexOfNewline(buf, i, end);
      int segmentEnd = newline < 0 ? end : newline + 1;
      if (holding && line.size() + (segmentEnd - i) > MAX_HELD_LINE) {
        // Not an event after all: pass on what was held, and the rest of the line as it comes.
        byte[] held = line.toByteArray();
        downstream.write(held, 0, held.length);
        line.reset();
        holding = false;
        lineTooLong = true;
        passFrom = i;
      } else if (holding || !lineTooLong) {
        int room = (holding ? MAX_HELD_LINE : MAX_PARSED_LINE) - line.size();
        int take = Math.min(room, segmentEnd - i);
        line.write(buf, i, take);
        lineTooLong = take < segmentEnd - i;
      }
      if (newline >= 0) {
        if (holding) {
          endHeldLine();
          passFrom = segmentEnd;
        } else {
          parseLine(line.toString(StandardCharsets.UTF_8));
        }
        line.reset();
        atLineStart = true;
        holding = false;
        lineTooLong = false;
      }
      i = segmentEnd;
    }
    if (passFrom >= 0) {
      forward(buf, passFrom, end);
    }
  }

  private static int indexOfNewline(byte[] buf, int from, int to) {
    for (int i = from; i < to; i++) {
      if (buf[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  @Override
  public void truncated(long keptBytes) {
    if (holding && line.size() > 0) {
      byte[] held = line.toByteArray();
      downstream.write(held, 0, held.length);
      line.reset();
      holding = false;
      lineTooLong = true;
    }
    downstream.truncated(keptBytes);
  }

  @Override
  public void finished(long totalBytes, long droppedBytes) {
    if (line.size() > 0) {
      if (holding) {
        endHeldLine();
      } else {
        parseLine(line.toString(StandardCharsets.UTF_8));
      }
      line.reset();
    }
    downstream.finished(totalBytes, droppedBytes);
  }

  /** The tests the output reported; {@link TestReport#none()} when it reported none. */
  public TestReport report() {
    guarded(
        () -> {
          libtest.finish();
          tap.finish();
          buck2.finish();
        });
    if (parsingFailed) {
      return TestReport.none();
    }
    if (go.seen()) {
      return go.tally().toReport("go test -json", 0, List.of());
    }
    // Buck2 runs every target's tests, whatever their runner prints: its counts cover them all.
    if (buck2.seen()) {
      return buck2.report("buck2 test output");
    }
    if (libtest.seen()) {
      return libtest.tally().toReport("cargo test output", 0, List.of());
    }
    if (tap.seen()) {
      return tap.tally().toReport("TAP output", 0, List.of());
    }
    if (pytest.seen()) {
      return pytest.report("pytest output");
    }
    return TestReport.none();
  }

  private void endHeldLine() {
    byte[] held = line.toByteArray();
    String text = new String(held, StandardCharsets.UTF_8);
    JsonNode event = parseEvent(text);
    if (event == null) {
      downstream.write(held, 0, held.length);
      parseLine(text);
      return;
    }
    guarded(() -> go.accept(event));
    String output = GoTestEvents.outputOf(event);
    if (output != null && !output.isEmpty()) {
      byte[] bytes = output.getBytes(StandardCharsets.UTF_8);
      downstream.write(bytes, 0, bytes.length);
    }
  }

  private static JsonNode parseEvent(String text) {
    try {
      JsonNode node = JSON.readTree(text);
      return node != null && GoTestEvents.isEvent(node) ? node : null;
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  private void parseLine(String text) {
    String stripped = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    if (stripped.endsWith("\r")) {
      stripped = stripped.substring(0, stripped.length() - 1);
    }
    String clean = Ansi.strip(stripped);
    guarded(
        () -> {
          libtest.accept(clean);
          tap.accept(clean);
          buck2.accept(clean);
          pytest.accept(clean);
        });
  }

  /**
   * Runs a parser on a line. A parser that breaks stops reading results, never the output: the log
   * and the gate's exit status matter more than its counts.
   */
  private void guarded(Runnable parse) {
    if (parsingFailed) {
      return;
    }
    try {
      parse.run();
    } catch (RuntimeException e) {
      parsingFailed = true;
      log.warn("stopped reading test results from the output", e);
    }
  }

  private void forward(byte[] buf, int from, int to) {
    if (to > from) {
      downstream.write(buf, from, to - from);
    }
  }

  /** A growable byte array without ByteArrayOutputStream's locking, which this path never needs. */
  private static final class LineBuffer {
    private byte[] bytes = new byte[256];
    private int size;

    void write(byte[] buf, int off, int len) {
      if (size + len > bytes.length) {
        bytes = java.util.Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + len));
      }
      System.arraycopy(buf, off, bytes, size, len);
      size += len;
    }

    int size() {
      return size;
    }

    void reset() {
      size = 0;
    }

    byte[] toByteArray() {
      return java.util.Arrays.copyOf(bytes, size);
    }

    String toString(java.nio.charset.Charset charset) {
      return new String(bytes, 0, size, charset);
    }
  }
}
