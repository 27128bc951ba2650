package dev.kiln.activities.summary;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.activities.summary.ErrorExcerpt.Kind;
import dev.kiln.workflows.activities.TestCounts;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class GateSummaryTest {

  private static final TestReport NO_REPORTS =
      new TestReport(new TestCounts(0, 0, 0), List.of(), 0, List.of());

  @Test
  void passedGateShowsTotals() {
    assertThat(GateSummary.passed(report(212, 0, 0))).isEqualTo("212 tests, 0 failed");
  }

  @Test
  void skippedTestsAreMentionedOnlyWhenThereAreAny() {
    assertThat(GateSummary.passed(report(212, 0, 3))).isEqualTo("212 tests, 0 failed, 3 skipped");
  }

  @Test
  void passedGateWithoutReportsJustPassed() {
    assertThat(GateSummary.passed(NO_REPORTS)).isEqualTo("passed");
  }

  @Test
  void failedGateListsTheFirstFailingTests() {
    TestReport report = report(212, 3, 0, "FooTest.bar", "FooTest.baz", "BarTest.qux");

    assertThat(GateSummary.failed(report, Optional.empty()))
        .isEqualTo("3 of 212 tests failed: FooTest.bar, FooTest.baz, BarTest.qux");
  }

  @Test
  void namesThatDoNotFitAreElided() {
    String[] names =
        IntStream.range(0, 50)
            .mapToObj(i -> "SomeRatherLongTestClass.method" + i)
            .toArray(String[]::new);

    String summary = GateSummary.failed(report(500, 120, 0, names), Optional.empty());

    assertThat(summary).startsWith("120 of 500 tests failed: SomeRatherLongTestClass.method0, ");
    assertThat(summary).endsWith(", …").hasSizeLessThanOrEqualTo(Summaries.MAX_LENGTH);
  }

  @Test
  void moreFailuresThanNamesAreElidedToo() {
    assertThat(GateSummary.failed(report(10, 5, 0, "ATest.a"), Optional.empty()))
        .isEqualTo("5 of 10 tests failed: ATest.a, …");
  }

  @Test
  void failedGateWithoutReportsShowsTheOutputsLastErrorLines() {
    FirstErrorCollector output = new FirstErrorCollector(null);
    List.of(
            "eslint found problems:",
            "src/a.js",
            "  3:1  error  'x' is not defined  no-undef",
            "✖ 1 problem")
        .forEach(output::acceptLine);

    assertThat(GateSummary.failed(NO_REPORTS, output.result()))
        .isEqualTo(
            "eslint found problems: | src/a.js | 3:1  error  'x' is not defined  no-undef | ✖ 1 problem");
  }

  @Test
  void failedGateWhoseTestsPassedBlamesTheOutput() {
    Optional<ErrorExcerpt> compileError =
        Optional.of(
            new ErrorExcerpt(Kind.COMPILER, "src/test/FooTest.java:3: error: ';' expected"));

    assertThat(GateSummary.failed(report(212, 0, 0), compileError))
        .isEqualTo("212 tests, 0 failed; src/test/FooTest.java:3: error: ';' expected");
  }

  @Test
  void failedGateWithNothingToGoOnSaysSo() {
    assertThat(GateSummary.failed(NO_REPORTS, Optional.empty())).isEqualTo("failed with no output");
  }

  private static TestReport report(int total, int failed, int skipped, String... failing) {
    return new TestReport(new TestCounts(total, failed, skipped), List.of(failing), 1, List.of());
  }
}
