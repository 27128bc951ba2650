package dev.kiln.activities.secrets;

import dev.kiln.activities.process.OutputSink;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Replaces a step's secrets in what it prints with {@value #MASK}: every form of each value ({@link
 * SecretForms}: the value, each of its lines, its base64 and URL encodings), wherever it stands in
 * a line and however the output is cut into chunks. Overlapping or adjacent occurrences become one
 * {@value #MASK}. Forms shorter than {@link SecretForms#MIN_LENGTH} characters are not masked.
 */
public final class SecretMask {

  /** What a secret becomes in logs and summaries. */
  public static final String MASK = "***";

  private static final byte[] MASK_BYTES = MASK.getBytes(StandardCharsets.US_ASCII);

  /** Masks nothing: a step without secrets. */
  public static final SecretMask NONE = new SecretMask(List.of());

  private final MaskAutomaton automaton;
  private final boolean empty;

  private SecretMask(Collection<byte[]> patterns) {
    this.automaton = MaskAutomaton.of(patterns);
    this.empty = patterns.isEmpty();
  }

  /** A mask for these secret values. */
  public static SecretMask of(Collection<String> values) {
    Set<String> forms = new LinkedHashSet<>();
    values.forEach(value -> forms.addAll(SecretForms.of(value)));
    if (forms.isEmpty()) {
      return NONE;
    }
    return new SecretMask(
        forms.stream().map(form -> form.getBytes(StandardCharsets.UTF_8)).toList());
  }

  public boolean isEmpty() {
    return empty;
  }

  /** {@code text} with its secrets masked, for summaries and Kiln's own lines. */
  public String text(String text) {
    if (empty || text == null) {
      return text;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Stream stream = new Stream(out::write);
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    stream.write(bytes, 0, bytes.length);
    stream.finish();
    return out.toString(StandardCharsets.UTF_8);
  }

  /**
   * A sink that masks what it is given and hands the rest to {@code next}. It holds back at most
   * the longest form's length of bytes, those that may still be the start of a secret, until the
   * next write shows they are not, or until the output ends ({@link OutputSink#finished}).
   */
  public OutputSink around(OutputSink next) {
    if (empty) {
      return next;
    }
    Stream stream = new Stream(next);
    return new OutputSink() {
      @Override
      public void write(byte[] buf, int off, int len) {
        stream.write(buf, off, len);
      }

      @Override
      public void truncated(long keptBytes) {
        stream.finish();
        next.truncated(keptBytes);
      }

      @Override
      public void finished(long totalBytes, long droppedBytes) {
        stream.finish();
        next.finished(totalBytes, droppedBytes);
      }
    };
  }

  /**
   * The masking state of one output: the bytes read but not passed on yet, with a flag per byte
   * saying whether a match covers it.
   */
  private final class Stream {
    private final OutputSink out;
    private byte[] pending = new byte[256];
    private boolean[] masked = new boolean[256];
    private int size;
    private int state;
    private boolean lastPassedMasked;
    private boolean anyMasked;

    Stream(OutputSink out) {
      this.out = out;
    }

    void write(byte[] buf, int off, int len) {
      ensureRoom(len);
      System.arraycopy(buf, off, pending, size, len);
      int end = size + len;
      for (int i = size; i < end; i++) {
        state = automaton.next(state, pending[i]);
        int match = automaton.matchLength(state);
        if (match > 0) {
          Arrays.fill(masked, i + 1 - match, i + 1, true);
          anyMasked = true;
        }
      }
      size = end;
      // Bytes before the automaton's depth can no longer become part of a match.
      pass(size - automaton.depth(state));
    }

    void finish() {
      pass(size);
      state = 0;
    }

    private void pass(int count) {
      if (!anyMasked) {
        // The usual case: nothing to mask in what is held, so it goes on in one piece.
        out.write(pending, 0, count);
        System.arraycopy(pending, count, pending, 0, size - count);
        size -= count;
        lastPassedMasked = lastPassedMasked && count == 0;
        return;
      }
      int i = 0;
      while (i < count) {
        if (masked[i]) {
          if (!(i == 0 ? lastPassedMasked : masked[i - 1])) {
            out.write(MASK_BYTES, 0, MASK_BYTES.length);
          }
          i++;
          continue;
        }
        int start = i;
        while (i < count && !masked[i]) {
          i++;
        }
        out.write(pending, start, i - start);
      }
      if (count > 0) {
        lastPassedMasked = masked[count - 1];
      }
      int rest = size - count;
      System.arraycopy(pending, count, pending, 0, rest);
      System.arraycopy(masked, count, masked, 0, rest);
      Arrays.fill(masked, rest, size, false);
      size = rest;
      anyMasked = false;
      for (int j = 0; j < rest && !anyMasked; j++) {
        anyMasked = masked[j];
      }
    }

    private void ensureRoom(int len) {
      if (size + len > pending.length) {
        int capacity = Math.max(pending.length * 2, size + len);
        pending = Arrays.copyOf(pending, capacity);
        masked = Arrays.copyOf(masked, capacity);
      }
    }
  }
}
