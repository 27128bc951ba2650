package dev.kiln.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LogOutputTest {

  private final StringWriter text = new StringWriter();

  private LogOutput output(boolean terminal) {
    return new LogOutput(new PrintWriter(text), terminal);
  }

  @Test
  void withoutATerminalColourCodesAreLeftOutEvenWhenCutBetweenTwoWrites() {
    LogOutput out = output(false);

    write(out, "\u001b[32mgreen\u001b[0m and \u001b[1");
    write(out, ";31mbold red\u001b[0m\n");
    out.flush();

    assertThat(text).hasToString("green and bold red\n");
  }

  @Test
  void onATerminalTheBuildsColoursAreKept() {
    LogOutput out = output(true);

    write(out, "\u001b[32mgreen\u001b[0m\n");
    out.flush();

    assertThat(text).hasToString("\u001b[32mgreen\u001b[0m\n");
  }

  @Test
  void anEscapeThatStartsNoColourCodeIsText() {
    LogOutput out = output(false);

    write(out, "a\u001bxb\n");
    out.flush();

    assertThat(text).hasToString("a\u001bxb\n");
  }

  @Test
  void aCharacterCutBetweenTwoWritesIsPrintedWhole() {
    LogOutput out = output(false);
    byte[] bytes = "naïve ✓\n".getBytes(StandardCharsets.UTF_8);

    out.write(bytes, 0, 3); // "na" and the first byte of "ï"
    out.write(bytes, 3, bytes.length - 3);
    out.flush();

    assertThat(text).hasToString("naïve ✓\n");
  }

  private static void write(LogOutput out, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    out.write(bytes, 0, bytes.length);
  }
}
