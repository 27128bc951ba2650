package dev.kiln.activities.summary;

import dev.kiln.workflows.activities.TestCounts;
import java.util.List;

/**
 * What a gate's test runner reported, from its report files or its structured output.
 *
 * @param counts totals; failed = failures + errors
 * @param tests every test in report order (files in path order, tests in document order), at most
 *     {@link #MAX_TESTS}; the counts go on past that
 * @param source where the results came from ({@code JUnit XML}, {@code go test -json}, {@code cargo
 *     test output}), {@code null} when the gate reported no tests
 * @param reportFiles how many report files were read
 * @param unreadableReports workspace-relative paths of matching files skipped as malformed, each
 *     with the reason ({@code "a/TEST-x.xml: not a JUnit report"})
 */
public record TestReport(
    TestCounts counts,
    List<TestResult> tests,
    String source,
    int reportFiles,
    List<String> unreadableReports) {

  /** Enough for a very large suite's history, bounded for the worker's memory. */
  public static final int MAX_TESTS = 50_000;

  /** How many failing tests a gate lists in the run view. */
  public static final int MAX_FAILURES_SHOWN = 50;

  public TestReport {
    tests = List.copyOf(tests);
    unreadableReports = List.copyOf(unreadableReports);
  }

  /** No report was read. */
  public static TestReport none() {
    return new TestReport(new TestCounts(0, 0, 0), List.of(), null, 0, List.of());
  }

  /** Whether the runner reported tests. A gate without them has no {@link TestCounts}. */
  public boolean found() {
    return source != null;
  }

  /** The failing tests, in report order, at most {@link #MAX_FAILURES_SHOWN}. */
  public List<TestResult> failures() {
    return tests.stream().filter(TestResult::isFailed).limit(MAX_FAILURES_SHOWN).toList();
  }

  /** The names of {@link #failures()}. */
  public List<String> failingTests() {
    return failures().stream().map(TestResult::name).toList();
  }
}
