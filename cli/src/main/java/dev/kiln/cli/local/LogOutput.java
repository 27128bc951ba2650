package dev.kiln.cli.local;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A build's log bytes as text on the command's output: UTF-8 decoded across writes (a character cut
 * between two chunks is held back), and without a terminal the colour codes left out, as {@code
 * kiln logs} shows a server run's log ({@link dev.kiln.cli.Terminal#log}). The codes are removed
 * byte by byte, so one cut between two chunks goes too.
 */
final class LogOutput extends OutputStream {

  private static final byte ESC = 0x1b;

  /** Where in a control sequence ({@code ESC [ params intermediates final}) the bytes are. */
  private enum State {
    TEXT,
    ESCAPE,
    PARAMETERS,
    INTERMEDIATES
  }

  private final PrintWriter out;
  private final boolean keepColours;
  private final CharsetDecoder decoder =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPLACE)
          .onUnmappableCharacter(CodingErrorAction.REPLACE);
  private final ByteArrayOutputStream sequence = new ByteArrayOutputStream();
  private ByteBuffer carry = ByteBuffer.allocate(0);
  private State state = State.TEXT;

  LogOutput(PrintWriter out, boolean keepColours) {
    this.out = out;
    this.keepColours = keepColours;
  }

  @Override
  public void write(int b) {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public synchronized void write(byte[] buf, int off, int len) {
    ByteArrayOutputStream text = new ByteArrayOutputStream(len);
    if (keepColours) {
      text.write(buf, off, len);
    } else {
      for (int i = off; i < off + len; i++) {
        strip(buf[i], text);
      }
    }
    print(text.toByteArray());
  }

  @Override
  public synchronized void flush() {
    out.flush();
  }

  private void strip(byte b, ByteArrayOutputStream text) {
    switch (state) {
      case TEXT -> {
        if (b == ESC) {
          sequence.reset();
          sequence.write(b);
          state = State.ESCAPE;
        } else {
          text.write(b);
        }
      }
      case ESCAPE -> {
        sequence.write(b);
        state = b == '[' ? State.PARAMETERS : giveBack(text);
      }
      case PARAMETERS -> {
        sequence.write(b);
        if ((b >= '0' && b <= '9') || b == ';' || b == '?') {
          return;
        }
        state = intermediateOrEnd(b, text);
      }
      case INTERMEDIATES -> {
        sequence.write(b);
        state = intermediateOrEnd(b, text);
      }
    }
  }

  private State intermediateOrEnd(byte b, ByteArrayOutputStream text) {
    if (b >= ' ' && b <= '/') {
      return State.INTERMEDIATES;
    }
    if (b >= '@' && b <= '~') {
      return State.TEXT; // a whole sequence: dropped
    }
    return giveBack(text);
  }

  /** Not a colour code after all: its bytes are text. */
  private State giveBack(ByteArrayOutputStream text) {
    text.writeBytes(sequence.toByteArray());
    sequence.reset();
    return State.TEXT;
  }

  private void print(byte[] bytes) {
    ByteBuffer in = ByteBuffer.allocate(carry.remaining() + bytes.length);
    in.put(carry).put(bytes).flip();
    CharBuffer chars = CharBuffer.allocate(in.remaining());
    decoder.decode(in, chars, false);
    carry = in.slice();
    chars.flip();
    out.print(chars);
  }
}
