package dev.kiln.api.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogLinesTest {

  private final LogLines lines = new LogLines();
  private final List<String> seen = new ArrayList<>();
  private final LogLines.Sink sink =
      (number, step, text) -> seen.add(number + " " + step + " " + text);

  @Test
  void numbersLinesInTheOrderTheyStartAcrossInterleavedSteps() {
    lines.accept("kiln", "$ make\n", sink);
    lines.accept("compile", "cc -c a.c\ncc -c b", sink);
    lines.accept("kiln", "note\n", sink);
    lines.accept("compile", ".c\nerror: b.c:3\n", sink);
    lines.finish(sink);

    assertThat(seen)
        .containsExactly(
            "1 kiln $ make",
            "2 compile cc -c a.c",
            "4 kiln note",
            "3 compile cc -c b.c",
            "5 compile error: b.c:3");
    assertThat(lines.lines()).isEqualTo(5);
  }

  @Test
  void dropsTheCarriageReturnOfACrLfAndKeepsEmptyLines() {
    lines.accept("compile", "a\r\n\nb\r\n", sink);

    assertThat(seen).containsExactly("1 compile a", "2 compile ", "3 compile b");
  }

  @Test
  void handsOverLinesNoNewlineEndedAtTheEndInTheirOrder() {
    lines.accept("compile", "partial", sink);
    lines.accept("kiln", "also partial", sink);
    lines.finish(sink);

    assertThat(seen).containsExactly("1 compile partial", "2 kiln also partial");
  }

  @Test
  void stopsWhenTheSinkAsks() {
    LogLines.Sink firstOnly =
        (number, step, text) -> {
          seen.add(text);
          return false;
        };

    assertThat(lines.accept("compile", "a\nb\nc\n", firstOnly)).isFalse();
    assertThat(seen).containsExactly("a");
  }

  @Test
  void keepsTheStartOfAnOverlongLineAndStillCountsWhatFollows() {
    String longLine = "x".repeat(LogLines.MAX_LINE_CHARS + 100);
    lines.accept("compile", longLine + "\nnext\n", sink);

    assertThat(seen.get(0)).hasSize(("1 compile ").length() + LogLines.MAX_LINE_CHARS);
    assertThat(seen.get(1)).isEqualTo("2 compile next");
  }
}
