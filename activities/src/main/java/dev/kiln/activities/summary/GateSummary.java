package dev.kiln.activities.summary;

import dev.kiln.workflows.activities.TestCounts;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The one-line summary of a gate, at most {@link Summaries#MAX_LENGTH} characters, the same shape
 * for every test runner:
 *
 * <ul>
 *   <li>passed, with tests reported: {@code 212 tests, 0 failed} ({@code , 3 skipped} when any
 *       were);
 *   <li>passed, no tests reported: {@code passed};
 *   <li>failed tests: {@code 3 of 212 tests failed: CalcTest.adds: CalcTest.java:9: expected: <5>
 *       but was: <-1>; also failed: CalcTest.subtracts, OtherTest.x, …} — the first failing test
 *       with its assertion (or panic) and where it is, then as many further names as fit, {@code …}
 *       when some are left out;
 *   <li>failed without failing tests (no tests reported, or the build broke around the tests): the
 *       error found in the output ({@link FirstErrorCollector}: a compile error if the tests did
 *       not compile, else the last lines), after the totals when tests were reported.
 * </ul>
 */
public final class GateSummary {

  private static final String MORE = "…";
  private static final String SEPARATOR = ", ";
  private static final String ALSO = "; also failed: ";

  /** Room the first failure leaves for the names after it, if it has that much to say. */
  private static final int ROOM_FOR_NAMES = 120;

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
    return failed(report, output, Summaries.MAX_LENGTH);
  }

  /**
   * As {@link #failed(TestReport, Optional)}, in at most {@code maxLength} characters: the run's
   * summary puts {@code gate unit failed: } before it, and the names must fit after that too.
   */
  public static String failed(TestReport report, Optional<ErrorExcerpt> output, int maxLength) {
    TestCounts counts = report.counts();
    if (report.found() && counts.failed() > 0) {
      return failedTests(counts, report.failures(), maxLength);
    }
    String error = output.map(ErrorExcerpt::text).orElse("failed with no output");
    return Summaries.fit(report.found() ? totals(counts) + "; " + error : error, maxLength);
  }

  /** {@code 212 tests, 0 failed} plus {@code , 3 skipped} when nonzero. */
  public static String totals(TestCounts counts) {
    String text = counts.total() + " tests, " + counts.failed() + " failed";
    return counts.skipped() > 0 ? text + ", " + counts.skipped() + " skipped" : text;
  }

  private static String failedTests(TestCounts counts, List<TestResult> failures, int maxLength) {
    StringBuilder text =
        new StringBuilder(counts.failed() + " of " + counts.total() + " tests failed");
    if (failures.isEmpty()) {
      return text.toString();
    }
    TestResult first = failures.get(0);
    text.append(": ").append(first.name());
    String why = first.failure() == null ? "" : first.failure().describe();
    int names = failures.size() > 1 ? ROOM_FOR_NAMES : 0;
    if (!why.isEmpty()) {
      int room = maxLength - text.length() - 2 - names;
      text.append(": ").append(Summaries.fit(why, Math.max(room, 40)));
    }
    String separator = ALSO;
    int shown = 1;
    Set<String> named = new HashSet<>(List.of(first.name()));
    for (TestResult next : failures.subList(1, failures.size())) {
      // tape names assertions, not tests: "should be equal" twice says nothing new.
      if (!named.add(next.name())) {
        shown++;
        continue;
      }
      // Keep room for ", …" in case this is not the last name.
      if (text.length()
              + separator.length()
              + next.name().length()
              + SEPARATOR.length()
              + MORE.length()
          > maxLength) {
        break;
      }
      text.append(separator).append(next.name());
      separator = SEPARATOR;
      shown++;
    }
    if (shown < counts.failed()) {
      text.append(separator).append(MORE);
    }
    return Summaries.fit(text.toString(), maxLength);
  }
}
