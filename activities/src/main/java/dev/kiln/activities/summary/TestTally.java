package dev.kiln.activities.summary;

import dev.kiln.workflows.activities.TestCounts;
import java.util.ArrayList;
import java.util.List;

/** Adds up tests as a parser finds them, keeping at most {@link TestReport#MAX_TESTS} of them. */
final class TestTally {

  private final List<TestResult> tests = new ArrayList<>();
  private int total;
  private int failed;
  private int skipped;

  void add(TestResult test) {
    total++;
    switch (test.status()) {
      case FAILED -> failed++;
      case SKIPPED -> skipped++;
      case PASSED -> {}
    }
    if (tests.size() < TestReport.MAX_TESTS) {
      tests.add(test);
    }
  }

  /** Totals a report declares without listing its tests (a JUnit suite with no testcases). */
  void addCounts(int total, int failed, int skipped) {
    this.total += total;
    this.failed += failed;
    this.skipped += skipped;
  }

  void addAll(TestTally other) {
    total += other.total;
    failed += other.failed;
    skipped += other.skipped;
    for (TestResult test : other.tests) {
      if (tests.size() >= TestReport.MAX_TESTS) {
        break;
      }
      tests.add(test);
    }
  }

  boolean isEmpty() {
    return total == 0;
  }

  TestCounts counts() {
    return new TestCounts(total, failed, skipped);
  }

  List<TestResult> tests() {
    return tests;
  }

  TestReport toReport(String source, int reportFiles, List<String> unreadable) {
    return new TestReport(counts(), tests, source, reportFiles, unreadable);
  }
}
