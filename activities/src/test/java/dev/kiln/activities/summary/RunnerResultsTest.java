package dev.kiln.activities.summary;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.workflows.activities.TestCounts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The results and summaries of real runners' output, recorded from the tools on this machine (go
 * 1.26, cargo 1.95, CTest 3.25, pytest 9, node 20, Jest 29) on one-file projects whose {@code
 * add(2, 3)} returns -7; the workspace path in them was replaced by {@code /ws}.
 */
class RunnerResultsTest {

  private static final Path WORKSPACE = Path.of("/ws");

  @TempDir Path temp;

  @Test
  void goTestJsonNamesTheFailingTestsWithTheirErrorfLineAndThePanicsOwnFrame() throws IOException {
    Streamed go = stream("go-test.json");

    assertThat(go.report.source()).isEqualTo("go test -json");
    assertThat(go.report.counts()).isEqualTo(new TestCounts(2, 2, 0));
    assertThat(go.report.failures())
        .extracting(TestResult::name, TestResult::failure)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "TestAdd", new TestFailure("Add(2, 3) = -7, want 5", "calc_test.go", 7)),
            org.assertj.core.groups.Tuple.tuple(
                "TestPanics",
                new TestFailure(
                    "panic: runtime error: invalid memory address or nil pointer dereference",
                    "calc_test.go",
                    13)));
    assertThat(GateSummary.failed(go.report, Optional.empty()))
        .isEqualTo(
            "2 of 2 tests failed: TestAdd: calc_test.go:7: Add(2, 3) = -7, want 5;"
                + " also failed: TestPanics");
  }

  @Test
  void goTestJsonReachesTheLogAsPlainGoTestOutput() throws IOException {
    Streamed go = stream("go-test.json");

    assertThat(go.log)
        .startsWith("=== RUN   TestAdd\n    calc_test.go:7: Add(2, 3) = -7, want 5\n")
        .contains("--- FAIL: TestPanics (0.00s)\npanic: runtime error")
        .endsWith("FAIL\texample.com/calc\t0.004s\n")
        .doesNotContain("\"Action\"");
  }

  @Test
  void aPassingGoSuiteCountsItsTestsWithTheSkippedOne() throws IOException {
    Streamed go = stream("go-test-passing.json");

    assertThat(go.report.counts()).isEqualTo(new TestCounts(2, 0, 1));
    assertThat(GateSummary.passed(go.report)).isEqualTo("2 tests, 0 failed, 1 skipped");
  }

  @Test
  void aGoTestThatDoesNotCompileKeepsTheCompileErrorShape() throws IOException {
    Streamed go = stream("go-test-build-failed.json");

    assertThat(go.report.found()).isFalse();
    assertThat(go.log).contains("./x_test.go:3:28: undefined: undefinedThing\n");
    assertThat(GateSummary.failed(go.report, go.errors.result()))
        .isEqualTo("x_test.go:3:28: undefined: undefinedThing");
  }

  @Test
  void cargoTestOutputCountsEveryTargetAndQuotesEachPanicWithItsLocation() throws IOException {
    Streamed cargo = stream("cargo-test.txt");

    assertThat(cargo.report.source()).isEqualTo("cargo test output");
    assertThat(cargo.report.counts()).isEqualTo(new TestCounts(5, 3, 1));
    assertThat(cargo.report.failures())
        .extracting(TestResult::suite, TestResult::name, TestResult::failure)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "src/lib.rs",
                "tests::panics_plainly",
                new TestFailure(
                    "index out of bounds: the len is 0 but the index is 3", "src/lib.rs", 22)),
            org.assertj.core.groups.Tuple.tuple(
                "src/lib.rs",
                "tests::adds",
                new TestFailure(
                    "assertion `left == right` failed (left: -7, right: 5)", "src/lib.rs", 11)),
            org.assertj.core.groups.Tuple.tuple(
                "tests/it.rs",
                "integration_adds",
                new TestFailure("add(1, 1) was -6", "tests/it.rs", 3)));
    assertThat(cargo.log).isEqualTo(resource("cargo-test.txt"));
  }

  @Test
  void ctestJUnitQuotesTheTestsOwnFailureLineFromItsOutput() throws IOException {
    TestReport report = read("ctest.xml");

    assertThat(report.counts()).isEqualTo(new TestCounts(2, 1, 0));
    assertThat(GateSummary.failed(report, Optional.empty()))
        .isEqualTo("1 of 2 tests failed: adds: test_calc.c:7: add(2, 3) = -7, want 5");
  }

  @Test
  void pytestJUnitQuotesTheAssertionAndForAnErrorInCalledCodeTheTestsOwnLine() throws IOException {
    TestReport report = read("pytest.xml");

    assertThat(report.counts()).isEqualTo(new TestCounts(3, 2, 0));
    assertThat(report.failures())
        .extracting(TestResult::name, TestResult::failure)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "test_calc.test_add",
                new TestFailure("assert -7 == 5 (where -7 = add(2, 3))", "test_calc.py", 4)),
            org.assertj.core.groups.Tuple.tuple(
                "test_calc.test_div",
                new TestFailure("ZeroDivisionError: division by zero", "test_calc.py", 7)));
  }

  @Test
  void nodeTestRunnerJUnitQuotesTheAssertionAtTheTestsLine() throws IOException {
    TestReport report = read("node-test.xml");

    assertThat(report.counts()).isEqualTo(new TestCounts(3, 1, 1));
    assertThat(GateSummary.failed(report, Optional.empty()))
        .isEqualTo(
            "1 of 3 tests failed: adds: calc.test.js:5: Expected values to be strictly equal:"
                + " -7 !== 5");
  }

  @Test
  void jestJsonQuotesTheExpectationWithItsValuesAtTheTestsLine() throws IOException {
    TestReport report = read("jest.json");

    assertThat(report.source()).isEqualTo("Jest JSON");
    assertThat(report.counts()).isEqualTo(new TestCounts(2, 1, 0));
    assertThat(GateSummary.failed(report, Optional.empty()))
        .isEqualTo(
            "1 of 2 tests failed: calc > adds: calc.test.js:4: expect(received).toBe(expected)"
                + " // Object.is equality (Expected: 5, Received: -7)");
  }

  @Test
  void surefireQuotesTheAssertionAtTheTestClassesFrameAndNamesAnExceptionsType()
      throws IOException {
    TestReport report = read("surefire.xml");

    assertThat(report.failures())
        .extracting(TestResult::name, TestResult::failure)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "CalcTest.adds",
                new TestFailure("expected: <5> but was: <-7>", "CalcTest.java", 9)),
            org.assertj.core.groups.Tuple.tuple(
                "CalcTest.reads",
                new TestFailure(
                    "NullPointerException: Cannot invoke \"String.length()\" because \"s\" is null",
                    "CalcTest.java",
                    15)));
    assertThat(report.tests()).extracting(TestResult::durationMillis).containsExactly(12L, 2L, 1L);
  }

  @Test
  void aJvmFramesBareFileNameBecomesItsWorkspacePathWhenThePackageFindsOneFile()
      throws IOException {
    Files.createDirectories(temp.resolve("core/src/test/java/calc"));
    Files.writeString(temp.resolve("core/src/test/java/calc/CalcTest.java"), "class CalcTest {}");
    Files.createDirectories(temp.resolve("other/src/test/java/notcalc"));
    Files.writeString(temp.resolve("other/src/test/java/notcalc/CalcTest.java"), "");

    TestReport report = read("surefire.xml");

    assertThat(report.failures())
        .extracting(t -> t.failure().file() + ":" + t.failure().line())
        .containsExactly(
            "core/src/test/java/calc/CalcTest.java:9", "core/src/test/java/calc/CalcTest.java:15");
  }

  @Test
  void gradleJUnitQuotesTheAssertionWithoutTheExceptionsClassRepeated() throws IOException {
    TestReport report = read("gradle.xml");

    assertThat(report.counts()).isEqualTo(new TestCounts(2, 1, 0));
    assertThat(GateSummary.failed(report, Optional.empty()))
        .isEqualTo(
            "1 of 2 tests failed: CalcTest.adds: CalcTest.java:10: expected:<5> but was:<-1>");
  }

  @Test
  void tapeOutputNamesTheFailingAssertionWithItsValuesAndTheTestsLine() throws IOException {
    Streamed tape = stream("tape.txt");

    assertThat(tape.report.source()).isEqualTo("TAP output");
    assertThat(tape.report.counts()).isEqualTo(new TestCounts(153, 3, 0));
    assertThat(tape.report.failures().get(1))
        .isEqualTo(
            TestResult.failed(
                "nums",
                "nums > should be deeply equivalent",
                null,
                new TestFailure(
                    "should be deeply equivalent (expected: 'number', actual: 'string')",
                    "test/num.js",
                    24)));
    assertThat(GateSummary.failed(tape.report, Optional.empty()))
        .startsWith(
            "3 of 153 tests failed: nums > should be deeply equivalent: test/num.js:15: should be"
                + " deeply equivalent (expected: { x: 1234, y: 5.67, z: 10000000,");
    assertThat(tape.log).isEqualTo(resource("tape.txt"));
  }

  /**
   * node 20's test runner prints TAP when its output is no terminal (under just, Task or make): the
   * assertion error's message already shows the values, and its stack has no "at".
   */
  @Test
  void nodesTapOutputQuotesTheAssertionAtTheLineOfItsStack() throws IOException {
    Streamed node = stream("node-test-tap.txt");

    assertThat(node.report.source()).isEqualTo("TAP output");
    assertThat(node.report.counts()).isEqualTo(new TestCounts(2, 1, 0));
    assertThat(GateSummary.failed(node.report, Optional.empty()))
        .isEqualTo(
            "1 of 2 tests failed: adds: calc.test.js:5: Expected values to be strictly equal: -1"
                + " !== 5");
  }

  /**
   * pytest 9 without --junitxml, as a justfile's recipe runs it: a failing assertion, a failing
   * parametrized method with a message, a passing, a skipped test and a broken fixture.
   */
  @Test
  void pytestsConsoleNamesTheFailingTestsByNodeAndCountsTheRest() throws IOException {
    Streamed pytest = stream("pytest-console.txt");

    assertThat(pytest.report.source()).isEqualTo("pytest output");
    assertThat(pytest.report.counts()).isEqualTo(new TestCounts(6, 4, 1));
    assertThat(pytest.report.failingTests())
        .containsExactly(
            "test_calc.test_adds",
            "TestCalc.test_param[1]",
            "TestCalc.test_param[2]",
            "test_calc.test_uses_broken");
    assertThat(pytest.report.failures().get(1).failure())
        .isEqualTo(
            new TestFailure(
                "AssertionError: add is wrong (assert -6 == (1 + 1), where -6 = add(1, 1))",
                "test_calc.py",
                17));
    assertThat(pytest.report.failures().get(3).failure())
        .isEqualTo(new TestFailure("RuntimeError: fixture broke", "test_calc.py", 21));
    assertThat(GateSummary.failed(pytest.report, Optional.empty()))
        .startsWith(
            "4 of 6 tests failed: test_calc.test_adds: test_calc.py:5: assert -1 == 5 (where -1 ="
                + " add(2, 3)); also failed: TestCalc.test_param[1], TestCalc.test_param[2],"
                + " test_calc.test_uses_broken");
  }

  /** A report file read from a workspace, as a gate's reports are. */
  private TestReport read(String name) throws IOException {
    Files.writeString(temp.resolve(name), resource(name).replace("/ws/", temp + "/"));
    return TestReportFiles.read(temp, List.of(name));
  }

  private record Streamed(TestReport report, String log, FirstErrorCollector errors) {}

  /** Output streamed through the reader in small pieces, as a command prints it. */
  private static Streamed stream(String name) throws IOException {
    byte[] output = resource(name).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    FirstErrorCollector errors = new FirstErrorCollector(WORKSPACE);
    TestOutputReader reader =
        new TestOutputReader(
            WORKSPACE,
            (buf, off, len) -> {
              log.write(buf, off, len);
              errors.acceptBytes(buf, off, len);
            });
    for (int off = 0; off < output.length; off += 37) {
      reader.write(output, off, Math.min(37, output.length - off));
    }
    reader.finished(output.length, 0);
    return new Streamed(
        reader.report(), log.toString(java.nio.charset.StandardCharsets.UTF_8), errors);
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = RunnerResultsTest.class.getResourceAsStream("/runner-output/" + name)) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }
}
