package dev.kiln.api.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class Utf8ChunksTest {

  private static final byte[] TEXT =
      "a\u00e9\u2713\ud83d\ude00 \u001b[31mred\u001b[0m\n".getBytes(StandardCharsets.UTF_8);

  @Test
  void everyCutPointDecodesToTheSameTextAsTheWhole() {
    for (int cut = 0; cut <= TEXT.length; cut++) {
      Utf8Chunks.Decoded first = Utf8Chunks.decode(new byte[0], Arrays.copyOfRange(TEXT, 0, cut));
      Utf8Chunks.Decoded second =
          Utf8Chunks.decode(first.carry(), Arrays.copyOfRange(TEXT, cut, TEXT.length));
      assertThat(first.text() + second.text())
          .as("cut at %d", cut)
          .isEqualTo(new String(TEXT, StandardCharsets.UTF_8));
      assertThat(second.carry()).isEmpty();
    }
  }

  @Test
  void decodesOneByteAtATime() {
    StringBuilder out = new StringBuilder();
    byte[] carry = new byte[0];
    for (byte b : TEXT) {
      Utf8Chunks.Decoded d = Utf8Chunks.decode(carry, new byte[] {b});
      out.append(d.text());
      carry = d.carry();
    }
    assertThat(out.toString()).isEqualTo(new String(TEXT, StandardCharsets.UTF_8));
  }

  @Test
  void incompleteTailCountsOnlyBytesALaterChunkCanFinish() {
    assertThat(Utf8Chunks.incompleteTail(new byte[] {'a'})).isZero();
    assertThat(Utf8Chunks.incompleteTail(new byte[] {'a', (byte) 0xC3})).isEqualTo(1);
    assertThat(Utf8Chunks.incompleteTail(new byte[] {(byte) 0xE2, (byte) 0x9C})).isEqualTo(2);
    assertThat(Utf8Chunks.incompleteTail(new byte[] {(byte) 0xE2, (byte) 0x9C, (byte) 0x93}))
        .isZero();
    assertThat(Utf8Chunks.incompleteTail(new byte[] {(byte) 0xF0, (byte) 0x9F, (byte) 0x98}))
        .isEqualTo(3);
    // a stray continuation byte or an invalid lead is not held back: nothing could complete it
    assertThat(Utf8Chunks.incompleteTail(new byte[] {'a', (byte) 0x80})).isZero();
    assertThat(Utf8Chunks.incompleteTail(new byte[] {'a', (byte) 0xFF})).isZero();
    assertThat(Utf8Chunks.incompleteTail(new byte[0])).isZero();
  }

  @Test
  void invalidBytesBecomeReplacementCharactersNotErrors() {
    ByteArrayOutputStream latin1 = new ByteArrayOutputStream();
    latin1.writeBytes("caf".getBytes(StandardCharsets.US_ASCII));
    latin1.write(0xE9); // é in Latin-1: a lead byte never followed by a continuation
    latin1.writeBytes(" ok\n".getBytes(StandardCharsets.US_ASCII));
    Utf8Chunks.Decoded d = Utf8Chunks.decode(new byte[0], latin1.toByteArray());
    assertThat(d.text()).isEqualTo("caf\ufffd ok\n");
    assertThat(d.carry()).isEmpty();
  }
}
