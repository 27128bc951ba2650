package dev.kiln.activities.summary;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.activities.summary.ErrorExcerpt.Kind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Priorities, streaming and formats the tools on this machine cannot produce (Gradle, Kotlin,
 * TypeScript, npm). The line shapes follow those tools' documented output.
 */
class FirstErrorCollectorTest {

  private static final Path WORKSPACE = Path.of("/var/lib/kiln/ws/run-42");

  private final FirstErrorCollector collector = new FirstErrorCollector(WORKSPACE);

  @Nested
  class Priorities {

    @Test
    void firstCompilerErrorWinsOverLaterOnes() {
      feed("src/A.java:3: error: ';' expected", "src/B.java:9: error: cannot find symbol");

      assertThat(text()).isEqualTo("src/A.java:3: error: ';' expected");
    }

    @Test
    void compilerErrorWinsOverEarlierToolError() {
      feed("npm ERR! code ELIFECYCLE", "src/a.ts(3,5): error TS2304: Cannot find name 'x'.");

      assertThat(result())
          .contains(
              new ErrorExcerpt(Kind.COMPILER, "src/a.ts:3:5: error TS2304: Cannot find name 'x'."));
    }

    @Test
    void makeLineLosesToAnyToolError() {
      feed("make: *** [Makefile:3: all] Error 1", "error: linker `cc` not found");

      assertThat(result()).contains(new ErrorExcerpt(Kind.TOOL, "error: linker `cc` not found"));
    }

    @Test
    void warningsAreNotErrors() {
      feed("foo.c:1:1: warning: unused variable 'a'", "make: *** [Makefile:2: all] Error 1");

      assertThat(result())
          .contains(new ErrorExcerpt(Kind.MAKE, "make: *** [Makefile:2: all] Error 1"));
    }

    @Test
    void timestampsAreNotFileLocations() {
      feed("12:30:01: error: disk quota exceeded");

      assertThat(result())
          .contains(new ErrorExcerpt(Kind.OUTPUT_TAIL, "12:30:01: error: disk quota exceeded"));
    }
  }

  @Nested
  class Formats {

    @Test
    void workspacePathsBecomeRelative() {
      feed("/var/lib/kiln/ws/run-42/src/main/java/Foo.java:12: error: cannot find symbol");

      assertThat(text()).isEqualTo("src/main/java/Foo.java:12: error: cannot find symbol");
    }

    @Test
    void pathsOutsideTheWorkspaceStayAbsolute() {
      feed("/usr/include/stdio.h:27:10: fatal error: bits/libc.h: No such file or directory");

      assertThat(text()).startsWith("/usr/include/stdio.h:27:10: fatal error:");
    }

    @Test
    void mavenLinesThatKeepJavacsSeverityWordAreNotDoubled() {
      feed(
          "[ERROR] /var/lib/kiln/ws/run-42/src/Foo.java:[3,1] error: class, interface, or enum expected");

      assertThat(text()).isEqualTo("src/Foo.java:3:1: error: class, interface, or enum expected");
    }

    @Test
    void gradleSaysWhatWentWrongOnTheNextLine() {
      feed(
          "FAILURE: Build failed with an exception.",
          "",
          "* What went wrong:",
          "Could not resolve all files for configuration ':compileClasspath'.",
          "> Could not find com.acme:lib:1.0.",
          "",
          "* Try:");

      assertThat(result())
          .contains(
              new ErrorExcerpt(
                  Kind.TOOL,
                  "Could not resolve all files for configuration ':compileClasspath'."
                      + " (Could not find com.acme:lib:1.0.)"));
    }

    @Test
    void kotlinErrorsDropTheFileScheme() {
      feed(
          "e: file:///var/lib/kiln/ws/run-42/src/main/kotlin/App.kt:7:13 Unresolved reference: foo");

      assertThat(text()).isEqualTo("src/main/kotlin/App.kt:7:13: error: Unresolved reference: foo");
    }

    @Test
    void mavenGoalFailureIsTheFallbackForNonCompileMavenErrors() {
      feed(
          "[INFO] BUILD FAILURE",
          "[ERROR] Failed to execute goal on project app: Could not resolve dependencies for project"
              + " com.acme:app:jar:1.0",
          "[ERROR] -> [Help 1]",
          "[ERROR] ",
          "[ERROR] Re-run Maven using the -X switch to enable full debug logging.");

      assertThat(text())
          .isEqualTo(
              "Failed to execute goal on project app: Could not resolve dependencies for project"
                  + " com.acme:app:jar:1.0");
    }

    @Test
    void rustErrorWithoutLocationIsStillReported() {
      feed(
          "error: failed to parse manifest at `/var/lib/kiln/ws/run-42/Cargo.toml`",
          "",
          "Caused by:",
          "  missing field `name`");

      assertThat(result())
          .contains(new ErrorExcerpt(Kind.TOOL, "error: failed to parse manifest at `Cargo.toml`"));
    }
  }

  @Nested
  class Streaming {

    @Test
    void firstErrorIsFoundAtTheStartOfHugeOutput() {
      bytes("src/A.java:1: error: class, interface, enum, or record expected\n");
      byte[] noise =
          "compiling module 1234 of 9999 .................................\n"
              .getBytes(StandardCharsets.UTF_8);
      for (int i = 0; i < 200_000; i++) {
        collector.acceptBytes(noise, 0, noise.length);
      }
      bytes("make: *** [Makefile:1: all] Error 1\nlast words\n");

      assertThat(text())
          .isEqualTo("src/A.java:1: error: class, interface, enum, or record expected");
      assertThat(collector.lastLines())
          .endsWith("make: *** [Makefile:1: all] Error 1", "last words");
    }

    @Test
    void linesSplitAcrossWritesAndMultiByteCharactersAreReassembled() {
      byte[] line = "foo.c:3:5: error: ‘y’ undeclared\n".getBytes(StandardCharsets.UTF_8);
      for (int i = 0; i < line.length; i++) {
        collector.acceptBytes(line, i, 1);
      }

      assertThat(text()).isEqualTo("foo.c:3:5: error: ‘y’ undeclared");
    }

    @Test
    void unterminatedLastLineCounts() {
      bytes("building\nfatal: not a git repository");

      assertThat(text()).isEqualTo("building | fatal: not a git repository");
    }

    @Test
    void progressRedrawsKeepOnlyTheVisibleText() {
      bytes("Downloading 10%\rDownloading 100%\r\u001b[31mfoo.c:1:1: error: boom\u001b[0m\r\n");

      assertThat(text()).isEqualTo("foo.c:1:1: error: boom");
    }

    @Test
    void rawBytesInAnyWriteSizesGiveWhatTheSameLinesGiveOneByOne() {
      List<String> lines = new ArrayList<>();
      for (int i = 0; i < 5_000; i++) {
        lines.add("\u001b[32mcompiling unit " + i + " of 5000\u001b[0m");
        if (i % 997 == 0) {
          lines.add("[INFO] step " + i);
          lines.add("");
        }
      }
      lines.addAll(
          List.of(
              "npm warn deprecated left-pad",
              "src/main.rs says hello",
              "error: could not find `Cargo.toml` in the workspace",
              "  --> src/main.rs:2:13",
              "the end of it",
              "[INFO] ----"));
      FirstErrorCollector lineByLine = new FirstErrorCollector(null);
      lines.forEach(lineByLine::acceptLine);
      byte[] data = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);

      for (int writeSize : new int[] {1, 7, 100, 4096, 65_536, data.length}) {
        FirstErrorCollector raw = new FirstErrorCollector(null);
        for (int off = 0; off < data.length; off += writeSize) {
          raw.acceptBytes(data, off, Math.min(writeSize, data.length - off));
        }

        assertThat(raw.result()).as("writes of %d", writeSize).isEqualTo(lineByLine.result());
        assertThat(raw.lastLines()).as("writes of %d", writeSize).isEqualTo(lineByLine.lastLines());
      }
    }

    @Test
    void theTailComesFromTheLastLinesEvenAfterMegabytesWithoutAColon() {
      bytes("step one: done\n");
      byte[] noise = "compiling module 1234 of 9999 ....\n".getBytes(StandardCharsets.UTF_8);
      for (int i = 0; i < 100_000; i++) {
        collector.acceptBytes(noise, 0, noise.length);
      }
      bytes("almost\nlast words\n\n");

      assertThat(collector.lastLines())
          .containsExactly(
              "compiling module 1234 of 9999 ....",
              "compiling module 1234 of 9999 ....",
              "compiling module 1234 of 9999 ....",
              "almost",
              "last words");
    }

    @Test
    void overlongLinesAreCut() {
      bytes("x".repeat(100_000) + "\n");

      assertThat(collector.lastLines())
          .singleElement()
          .satisfies(l -> assertThat(l).hasSize(FirstErrorCollector.MAX_LINE_LENGTH));
    }
  }

  @Nested
  class Tail {

    @Test
    void withoutAnErrorLineTheLastMeaningfulLinesAreUsed() {
      feed(
          "line 1",
          "line 2",
          "./configure: line 4: autoconf: command not found",
          "",
          "-----",
          "line 4",
          "line 5",
          "line 6",
          "[INFO] ------------------------------------------------------------------------");

      assertThat(result())
          .contains(
              new ErrorExcerpt(
                  Kind.OUTPUT_TAIL,
                  "line 2 | ./configure: line 4: autoconf: command not found | line 4 | line 5 | line 6"));
    }

    @Test
    void tailKeepsTheNewestLinesWhenTheyDoNotAllFit() {
      feed("old " + "a".repeat(400), "new " + "b".repeat(400));

      assertThat(text()).isEqualTo("new " + "b".repeat(400));
    }

    @Test
    void emptyOutputHasNoExcerpt() {
      feed("", "   ", "");

      assertThat(result()).isEmpty();
    }
  }

  private void feed(String... lines) {
    for (String line : lines) {
      collector.acceptLine(line);
    }
  }

  private void bytes(String text) {
    byte[] data = text.getBytes(StandardCharsets.UTF_8);
    collector.acceptBytes(data, 0, data.length);
  }

  private Optional<ErrorExcerpt> result() {
    return collector.result();
  }

  private String text() {
    return collector.result().orElseThrow().text();
  }
}
