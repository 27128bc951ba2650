package dev.kiln.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogSafeTest {

  @Test
  void aForgedLogLineStaysOnItsOwnLine() {
    assertThat(LogSafe.escape("main\n12:00:00.000 INFO  run 7 passed"))
        .isEqualTo("main\\n12:00:00.000 INFO  run 7 passed");
    assertThat(LogSafe.escape("a\r\nb\tc")).isEqualTo("a\\r\\nb\\tc");
  }

  @Test
  void terminalEscapesAndBidiOverridesAreWrittenAsCodes() {
    assertThat(LogSafe.escape("\u001b[2Jred")).isEqualTo("\\u001b[2Jred");
    assertThat(LogSafe.escape("a\u202eb\u0085c\u2028")).isEqualTo("a\\u202eb\\u0085c\\u2028");
    assertThat(LogSafe.escape("del\u007f")).isEqualTo("del\\u007f");
  }

  @Test
  void aBackslashIsDoubledSoAnEscapeCannotBeFaked() {
    assertThat(LogSafe.escape("C:\\n")).isEqualTo("C:\\\\n");
  }

  @Test
  void plainTextIsUnchangedAndOverlongTextIsCut() {
    String plain = "https://git.example.com/team/app.git#main@x86_64 ünïcode";
    assertThat(LogSafe.escape(plain)).isSameAs(plain);
    assertThat(LogSafe.escape(null)).isEqualTo("null");
    String longText = "x".repeat(5000);
    assertThat(LogSafe.escape(longText))
        .startsWith("x".repeat(1000))
        .endsWith("… (5000 characters)")
        .hasSize(1000 + "… (5000 characters)".length());
  }
}
