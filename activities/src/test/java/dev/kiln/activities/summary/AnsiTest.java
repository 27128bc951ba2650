package dev.kiln.activities.summary;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AnsiTest {

  @Test
  void colourAndEraseLineSequencesAreRemoved() {
    // gcc's own colouring: bold, red, reset and "erase to end of line".
    String gcc =
        "\u001b[01m\u001b[Kfoo.c:3:10:\u001b[m\u001b[K \u001b[01;31m\u001b[Kerror: \u001b[m\u001b[Kboom";

    assertThat(Ansi.strip(gcc)).isEqualTo("foo.c:3:10: error: boom");
  }

  @Test
  void hyperlinksKeepTheirText() {
    String link = "\u001b]8;;https://doc.rust-lang.org/E0425\u0007E0425\u001b]8;;\u001b\\";

    assertThat(Ansi.strip(link)).isEqualTo("E0425");
  }

  @Test
  void plainTextIsReturnedAsIs() {
    String text = "nothing to strip [1;31m";

    assertThat(Ansi.strip(text)).isSameAs(text);
  }
}
