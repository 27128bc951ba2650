package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TerminalTest {

  private static final String RED_LOG =
      "\u001b[31mred line 10\u001b[0m\n\u001b[1;33mwarn\u001b[m\n";

  @Test
  void logColoursAreKeptOnATerminal() {
    assertThat(new Terminal(true).log(RED_LOG)).isEqualTo(RED_LOG);
  }

  @Test
  void logColoursAreRemovedWhenOutputIsAPipeOrAFile() {
    assertThat(new Terminal(false).log(RED_LOG)).isEqualTo("red line 10\nwarn\n");
  }

  @Test
  void nothingIsPaintedOffATerminal() {
    assertThat(new Terminal(false).result("passed")).isEqualTo("passed");
    assertThat(new Terminal(true).result("passed")).isEqualTo("\u001b[32mpassed\u001b[0m");
  }
}
