package dev.kiln.api.logs;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * UTF-8 decoding of a step's output that arrives in chunks. The worker cuts chunks by size, so a
 * multi-byte character may start in one chunk and end in the next; its leading bytes are held back
 * ("carried") and decoded with the next chunk of the same step. Bytes that are not valid UTF-8 (a
 * program writing Latin-1, a cut that is never completed) become U+FFFD.
 */
final class Utf8Chunks {

  private Utf8Chunks() {}

  /**
   * How many bytes at the end of {@code data} start a character that the data does not finish: 0
   * when it ends on a character boundary (or with bytes that can never complete), else 1–3.
   */
  static int incompleteTail(byte[] data) {
    int n = data.length;
    for (int i = 1; i <= Math.min(3, n); i++) {
      int b = data[n - i] & 0xFF;
      if ((b & 0xC0) == 0x80) {
        continue; // a continuation byte: its lead is further back
      }
      int length = sequenceLength(b);
      return length > i ? i : 0;
    }
    return 0;
  }

  /** Whether {@code data} starts with a continuation byte: the rest of a previous chunk's tail. */
  static boolean startsMidCharacter(byte[] data) {
    return data.length > 0 && (data[0] & 0xC0) == 0x80;
  }

  /** The last {@link #incompleteTail} bytes of {@code data}; empty when there are none. */
  static byte[] tail(byte[] data) {
    return Arrays.copyOfRange(data, data.length - incompleteTail(data), data.length);
  }

  /**
   * Decodes {@code carried + data} up to its incomplete tail.
   *
   * @return the text and the bytes to carry to the step's next chunk
   */
  static Decoded decode(byte[] carried, byte[] data) {
    byte[] all = data;
    if (carried.length > 0) {
      all = Arrays.copyOf(carried, carried.length + data.length);
      System.arraycopy(data, 0, all, carried.length, data.length);
    }
    int keep = incompleteTail(all);
    int end = all.length - keep;
    return new Decoded(decode(all, end), Arrays.copyOfRange(all, end, all.length));
  }

  private static String decode(byte[] bytes, int length) {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    try {
      return decoder.decode(ByteBuffer.wrap(bytes, 0, length)).toString();
    } catch (CharacterCodingException e) {
      throw new IllegalStateException("cannot happen: the decoder replaces", e);
    }
  }

  private static int sequenceLength(int lead) {
    if (lead < 0x80) {
      return 1;
    }
    if ((lead & 0xE0) == 0xC0) {
      return 2;
    }
    if ((lead & 0xF0) == 0xE0) {
      return 3;
    }
    if ((lead & 0xF8) == 0xF0) {
      return 4;
    }
    return 1; // not a lead byte: nothing a later chunk could complete
  }

  /**
   * @param carry bytes that begin a character the next chunk of the step should finish
   */
  record Decoded(String text, byte[] carry) {}
}
