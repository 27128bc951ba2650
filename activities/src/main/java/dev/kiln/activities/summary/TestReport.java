package dev.kiln.activities.summary;

import dev.kiln.workflows.activities.TestCounts;
import java.util.List;

/**
 * What a gate's JUnit XML reports say, all files together.
 *
 * @param counts totals; failed = failures + errors
 * @param failingTests the first failing tests as {@code SimpleClassName.method}, files in path
 *     order, tests in document order (at most a few dozen)
 * @param reportFiles how many report files were read
 * @param unreadableReports workspace-relative paths of matching files skipped as malformed, each
 *     with the reason ({@code "a/TEST-x.xml: not a JUnit report"})
 */
public record TestReport(
    TestCounts counts, List<String> failingTests, int reportFiles, List<String> unreadableReports) {

  public TestReport {
    failingTests = List.copyOf(failingTests);
    unreadableReports = List.copyOf(unreadableReports);
  }

  /** No report was read. */
  public static TestReport none() {
    return new TestReport(new TestCounts(0, 0, 0), List.of(), 0, List.of());
  }

  /** Whether any report was read. A gate without reports has no {@link TestCounts}. */
  public boolean found() {
    return reportFiles > 0;
  }
}
