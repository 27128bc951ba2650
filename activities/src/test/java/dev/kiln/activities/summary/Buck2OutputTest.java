package dev.kiln.activities.summary;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.workflows.activities.TestCounts;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * No buck2 binary can be had here (no package registry this machine reaches ships one), so the
 * output is written in the exact shape Buck2's source prints without a terminal: each result as
 * {@code display::format_test_result} formats it for the simple console ({@code ✗ Fail: <name>
 * (<duration>)} and the runner's details below), Buck2's own test runner naming the target and
 * putting the test's output between {@code ---- STDOUT ----} and {@code ---- STDERR ----}, and the
 * test command's closing {@code Tests finished: …}, {@code N TESTS FAILED} and {@code ✗ <name>}
 * lines.
 */
class Buck2OutputTest {

  @Test
  void buck2sOwnRunnerNamesTheTargetAndItsOutputHasTheFailureLine() throws IOException {
    TestReport report = read(resource("buck2-test.txt"));

    assertThat(report.source()).isEqualTo("buck2 test output");
    assertThat(report.counts()).isEqualTo(new TestCounts(3, 1, 1));
    assertThat(report.tests())
        .extracting(t -> t.name() + " " + t.status().wireName())
        .containsExactly(
            "root//:test_sub passed", "root//:test_add failed", "root//:test_later skipped");
    assertThat(GateSummary.failed(report, Optional.empty()))
        .isEqualTo("1 of 3 tests failed: root//:test_add: test_add.c:7: add(2, 3) = -1, want 5");
  }

  @Test
  void theClosingLineCountsTestsTheRunnerDidNotShowInEveryVersionsColumns() throws IOException {
    // Buck2 before Timeout, Omit and Infra Failure had their columns; a runner that names test
    // cases ("target - case") shows only the failing ones.
    TestReport report =
        read(
            """
            ✗ Fail: //calc:calc_test - CalcTest.adds (1.2s)
            calc/calc_test.cpp:12: Failure
            Tests finished: Listing Fail 0. Pass 41. Fail 1. Fatal 1. Skip 2. Build failure 0
            2 TESTS FAILED
              ✗ //calc:calc_test - CalcTest.adds
            """);

    assertThat(report.counts()).isEqualTo(new TestCounts(45, 2, 2));
    assertThat(report.failures().get(0).suite()).isEqualTo("//calc:calc_test");
    assertThat(report.failures().get(0).failure())
        .isEqualTo(new TestFailure("Failure", "calc/calc_test.cpp", 12));
  }

  @Test
  void aBuildThatFailedBeforeAnyTestRanReportsNoTests() throws IOException {
    TestReport report =
        read(
            """
            Tests finished: Pass 0. Fail 0. Timeout 0. Fatal 0. Skip 0. Omit 0. Infra Failure 0.\
             Build failure 1
            1 BUILDS FAILED
            """);

    assertThat(report.found()).isFalse();
  }

  @Test
  void otherToolsSayingTestsFinishedAreNotBuck2() throws IOException {
    TestReport report = read("✗ Fail: something\nTests finished: 30 passed, 1 failed.\n");

    assertThat(report.found()).isFalse();
  }

  private static TestReport read(String output) {
    TestOutputReader reader = new TestOutputReader(Path.of("/ws"), (buf, off, len) -> {});
    byte[] bytes = output.getBytes(StandardCharsets.UTF_8);
    for (int off = 0; off < bytes.length; off += 29) {
      reader.write(bytes, off, Math.min(29, bytes.length - off));
    }
    reader.finished(bytes.length, 0);
    return reader.report();
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = Buck2OutputTest.class.getResourceAsStream("/runner-output/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
