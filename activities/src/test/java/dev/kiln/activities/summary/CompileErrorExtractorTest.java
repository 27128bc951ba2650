package dev.kiln.activities.summary;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class CompileErrorExtractorTest {

  private final CompileErrorExtractor extractor = new CompileErrorExtractor(null);

  @Test
  void summaryStartsWithCompileFailed() {
    assertThat(extractor.summarize("Foo.java:1: error: boom\n"))
        .isEqualTo("compile failed: Foo.java:1: error: boom");
  }

  @Test
  void compileWithoutOutputSaysSo() {
    assertThat(extractor.summarize("")).isEqualTo("compile failed with no output");
    assertThat(CompileErrorExtractor.summarize(Optional.empty()))
        .isEqualTo("compile failed with no output");
  }

  @Test
  void summaryNeverExceedsTheLimit() {
    String output = "Foo.java:1: error: " + "very long message ".repeat(100) + "\n";

    assertThat(extractor.summarize(output)).hasSize(Summaries.MAX_LENGTH).endsWith("…");
  }

  @Test
  void tailThatStartsMidLineIsFine() {
    String tail = "ing the last module\nsrc/x.go:3:1: syntax error: unexpected }\n";

    assertThat(extractor.summarize(tail))
        .isEqualTo("compile failed: src/x.go:3:1: syntax error: unexpected }");
  }

  @Test
  void collectorFromTheExtractorRelativizesToItsWorkspace() {
    FirstErrorCollector collector =
        new CompileErrorExtractor(java.nio.file.Path.of("/ws")).newCollector();
    collector.acceptLine("/ws/a/B.java:2: error: x");

    assertThat(collector.result()).map(ErrorExcerpt::text).contains("a/B.java:2: error: x");
  }
}
