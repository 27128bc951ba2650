package dev.kiln.activities.summary;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Turns a failed compile's output into its failure summary: {@code compile failed: } followed by
 * the {@link ErrorExcerpt} text, at most {@link Summaries#MAX_LENGTH} characters. For example:
 *
 * <pre>
 * compile failed: src/main/java/demo/Greeter.java:5:12: error: cannot find symbol (symbol: variable greeting)
 * compile failed: src/main.rs:2:13: error[E0425]: cannot find value `y` in this scope
 * compile failed: make: *** [Makefile:3: all] Error 1
 * compile failed: ./configure: line 4: autoconf: command not found | checking for gcc... no
 * </pre>
 *
 * <p>Use {@link #newCollector()} to follow output as it streams (finds the first error however long
 * the output), or {@link #extract(String)} on the kept tail of the output.
 */
public final class CompileErrorExtractor {

  /** Starts every compile failure summary. */
  public static final String PREFIX = "compile failed: ";

  private final Path workspace;

  /**
   * @param workspace where the build ran, so paths print relative to it; null keeps them as is
   */
  public CompileErrorExtractor(Path workspace) {
    this.workspace = workspace;
  }

  /** A collector to feed the output to while the command runs. */
  public FirstErrorCollector newCollector() {
    return new FirstErrorCollector(workspace);
  }

  /** The most telling error in {@code output} (whole or a tail; may start mid-line). */
  public Optional<ErrorExcerpt> extract(String output) {
    FirstErrorCollector collector = newCollector();
    output.lines().forEach(collector::acceptLine);
    return collector.result();
  }

  /** The failure summary for a compile that printed {@code output} and failed. */
  public String summarize(String output) {
    return summarize(extract(output));
  }

  /** The failure summary for a compile whose output yielded {@code excerpt}. */
  public static String summarize(Optional<ErrorExcerpt> excerpt) {
    return Summaries.fit(
        excerpt.map(e -> PREFIX + e.text()).orElse("compile failed with no output"));
  }
}
