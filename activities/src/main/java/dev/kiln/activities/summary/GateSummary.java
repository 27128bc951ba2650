package dev.kiln.activities.summary;

import dev.kiln.workflows.activities.TestCounts;
import java.util.List;
import java.util.Optional;

/**
 * The one-line summary of a gate , at most {@link Summaries#MAX_LENGTH} characters:
 *
 * <ul>
 *   <li>passed, with reports: {@code 212 tests, 0 failed} ({@code , 3 skipped} when any were);
 *   <li>passed, no reports: {@code passed};
 *   <li>failed tests: {@code 3 of 212 tests failed: FooTest.bar, FooTest.baz, …} — as many names as
 *       fit, {@code …} when some are left out;
 *   <li>failed without failing tests (no reports, or the build broke around the tests): the error
 *       found in the output ({@link FirstErrorCollector}: a compile error if the tests did not
 *       compile, else the last lines), after the totals when there are reports.
 * </ul>
 */
public final class GateSummary {

  private static final String MORE = "…";
  private static final String SEPARATOR = ", ";

  private GateSummary() {}

  /** The summary of a gate whose command exited 0. */
  public static String passed(TestReport report) {
    return report.found() ? totals(report.counts()) : "passed";
  }

  /**
   * The summary of a gate whose command failed.
   *
   * @param output what {@link FirstErrorCollector#result()} found in the gate's output
   */
  public static String failed(TestReport report, Optional<ErrorExcerpt> output) {
    TestCounts counts = report.counts();
    if (report.found() && counts.failed() > 0) {
      return failedTests(counts, report.failingTests());
    }
    String error = output.map(ErrorExcerpt::text).orElse("failed with no output");
    return Summaries.fit(report.found() ? totals(counts) + "; " + error : error);
  }

  /** {@code 212 tests, 0 failed} plus {@code , 3 skipped} when nonzero. */
  static String totals(TestCounts counts) {
    String text = counts.total() + " tests, " + counts.failed() + " failed";
    return counts.skipped() > 0 ? text + ", " + counts.skipped() + " skipped" : text;
  }

  private static String failedTests(TestCounts counts, List<String> names) {
    StringBuilder text =
        new StringBuilder(counts.failed() + " of " + counts.total() + " tests failed");
    int shown = 0;
    for (String name : names) {
      String separator = shown == 0 ? ": " : SEPARATOR;
      // Keep room for ", …" in case this is not the last name.
      if (text.length() + separator.length() + name.length() + SEPARATOR.length() + MORE.length()
          > Summaries.MAX_LENGTH) {
        break;
      }
      text.append(separator).append(name);
      shown++;
    }
    if (shown < counts.failed() && shown > 0) {
      text.append(SEPARATOR).append(MORE);
    }
    return Summaries.fit(text.toString());
  }
}
