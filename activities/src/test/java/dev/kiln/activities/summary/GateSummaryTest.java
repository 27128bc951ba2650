package dev.kiln.activities.summary;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.activities.summary.ErrorExcerpt.Kind;
import dev.kiln.workflows.activities.TestCounts;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class GateSummaryTest {

  private static final TestReport NO_REPORTS = TestReport.none();

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
        .isEqualTo("3 of 212 tests failed: FooTest.bar; also failed: FooTest.baz, BarTest.qux");
  }

  @Test
  void namesThatDoNotFitAreElided() {
    String[] names =
        IntStream.range(0, 50)
            .mapToObj(i -> "SomeRatherLongTestClass.method" + i)
            .toArray(String[]::new);

    String summary = GateSummary.failed(report(500, 120, 0, names), Optional.empty());

    assertThat(summary)
        .startsWith("120 of 500 tests failed: SomeRatherLongTestClass.method0; also failed: ");
    assertThat(summary).endsWith(", …").hasSizeLessThanOrEqualTo(Summaries.MAX_LENGTH);
  }

  @Test
  void moreFailuresThanNamesAreElidedToo() {
    assertThat(GateSummary.failed(report(10, 5, 0, "ATest.a"), Optional.empty()))
        .isEqualTo("5 of 10 tests failed: ATest.a; also failed: …");
  }

  @Test
  void theFirstFailureQuotesItsAssertionWithFileAndLineThenTheOthersAreNamed() {
    TestReport report =
        reportOf(
            12,
            TestResult.failed(
                "example.com/calc",
                "TestAdd",
                3L,
                new TestFailure("Add(2, 3) = -1, want 5", "calc_test.go", 7)),
            TestResult.failed("example.com/calc", "TestSub", 1L, null),
            TestResult.failed("example.com/calc", "TestMul", 1L, null));

    assertThat(GateSummary.failed(report, Optional.empty()))
        .isEqualTo(
            "3 of 12 tests failed: TestAdd: calc_test.go:7: Add(2, 3) = -1, want 5;"
                + " also failed: TestSub, TestMul");
  }

  @Test
  void theSummaryLeavesRoomForTheRunsPrefixSoItsLastNameIsNotCut() {
    String[] names =
        IntStream.range(0, 50).mapToObj(i -> "SomeTest.method" + i).toArray(String[]::new);
    String prefix = "gate unit failed: ";

    String summary =
        GateSummary.failed(
            report(500, 50, 0, names), Optional.empty(), Summaries.MAX_LENGTH - prefix.length());

    assertThat(prefix + summary).hasSizeLessThanOrEqualTo(Summaries.MAX_LENGTH).endsWith(", …");
  }

  @Test
  void aNameAlreadyShownIsNotRepeated() {
    TestFailure values = new TestFailure("should be equal (expected: 5, actual: -1)", "t.js", 4);
    TestReport report =
        reportOf(
            9,
            TestResult.failed("adds", "adds > should be equal", null, values),
            TestResult.failed("adds", "adds > should be equal", null, values),
            TestResult.failed("subtracts", "subtracts > should be equal", null, values));

    assertThat(GateSummary.failed(report, Optional.empty()))
        .isEqualTo(
            "3 of 9 tests failed: adds > should be equal: t.js:4: should be equal (expected: 5,"
                + " actual: -1); also failed: subtracts > should be equal");
  }

  @Test
  void aLongAssertionLeavesRoomForTheNextNamesAndTheWholeStaysWithinTheLimit() {
    TestResult[] failures = new TestResult[30];
    failures[0] =
        TestResult.failed(
            null, "FirstTest.fails", null, new TestFailure("x".repeat(290), "FirstTest.java", 9));
    for (int i = 1; i < failures.length; i++) {
      failures[i] = TestResult.failed(null, "OtherTest.number" + i, null, null);
    }

    String summary = GateSummary.failed(reportOf(100, failures), Optional.empty());

    assertThat(summary)
        .startsWith("30 of 100 tests failed: FirstTest.fails: FirstTest.java:9: xxx")
        .contains("; also failed: OtherTest.number1, OtherTest.number2")
        .endsWith(", …")
        .hasSizeLessThanOrEqualTo(Summaries.MAX_LENGTH);
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
    List<TestResult> tests =
        java.util.Arrays.stream(failing)
            .map(name -> TestResult.failed(null, name, null, null))
            .toList();
    return new TestReport(new TestCounts(total, failed, skipped), tests, "JUnit XML", 1, List.of());
  }

  private static TestReport reportOf(int total, TestResult... failures) {
    return new TestReport(
        new TestCounts(total, failures.length, 0),
        List.of(failures),
        "go test -json",
        0,
        List.of());
  }
}
