package dev.kiln.activities.summary;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.workflows.activities.TestCounts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files are as Automake 1.16's parallel harness ({@code test-driver}) wrote them for {@code
 * TESTS = test_add test_sub test_skip}, where test_add's {@code add(2, 3)} returns -1, test_sub
 * passes and test_skip exits 77.
 */
class AutomakeTestLogsTest {

  private static final String FAILED_TRS =
      """
      :test-result: FAIL
      :global-test-result: FAIL
      :recheck: yes
      :copy-in-global-log: yes
      """;

  private static final String FAILED_LOG =
      """
      checking add
      test_add.c:8: add(2, 3) = -1, want 5
      FAIL test_add (exit status: 1)
      """;

  private static final String PASSED_TRS =
      """
      :test-result: PASS
      :global-test-result: PASS
      :recheck: no
      :copy-in-global-log: no
      """;

  private static final String SKIPPED_TRS =
      """
      :test-result: SKIP
      :global-test-result: SKIP
      :recheck: no
      :copy-in-global-log: yes
      """;

  @TempDir Path workspace;

  @Test
  void eachTrsFileIsOneTestAndTheFailureIsTheFirstFileLineOfItsLog() throws IOException {
    harness("");

    TestReport report = TestReportFiles.read(workspace, TestReportFiles.conventionalGlobs());

    assertThat(report.source()).isEqualTo("Automake test results");
    assertThat(report.counts()).isEqualTo(new TestCounts(3, 1, 1));
    assertThat(report.tests())
        .extracting(t -> t.name() + " " + t.status().wireName())
        .containsExactly("test_add failed", "test_skip skipped", "test_sub passed");
    assertThat(report.failures().get(0).failure())
        .isEqualTo(new TestFailure("add(2, 3) = -1, want 5", "test_add.c", 8));
    assertThat(GateSummary.failed(report, Optional.empty()))
        .isEqualTo("1 of 3 tests failed: test_add: test_add.c:8: add(2, 3) = -1, want 5");
  }

  @Test
  void aTestInASubdirectoryIsNamedByItsPathAndItsSourceFoundThere() throws IOException {
    harness("tests/");
    write("tests/test_add.c", "int main(void) { return 1; }\n");

    TestReport report = TestReportFiles.read(workspace, TestReportFiles.conventionalGlobs());

    assertThat(report.failingTests()).containsExactly("tests/test_add");
    assertThat(report.failures().get(0).failure().describe())
        .isEqualTo("tests/test_add.c:8: add(2, 3) = -1, want 5");
  }

  @Test
  void expectedFailuresPassWhileUnexpectedPassesAndHardErrorsFail() throws IOException {
    write("xfail.trs", ":test-result: XFAIL\n:global-test-result: XFAIL\n");
    write("xpass.trs", ":test-result: XPASS\n:global-test-result: XPASS\n");
    write("error.trs", ":test-result: ERROR\n:global-test-result: ERROR\n");
    write("error.log", "ERROR error (exit status: 99)\n");

    TestReport report = TestReportFiles.read(workspace, TestReportFiles.conventionalGlobs());

    assertThat(report.counts()).isEqualTo(new TestCounts(3, 2, 0));
    assertThat(report.failingTests()).containsExactly("error", "xpass");
    // The harness's own closing line says nothing the status does not.
    assertThat(report.failures().get(0).failure().message()).isNull();
  }

  @Test
  void aTapDriversTestPointsAreCountedEachAndNumbered() throws IOException {
    write(
        "t/basic.trs",
        ":test-result: PASS\n:test-result: FAIL\n:test-result: SKIP\n"
            + ":global-test-result: FAIL\n:recheck: yes\n:copy-in-global-log: yes\n");
    write("t/basic.log", "ok 1 - parses\nnot ok 2 - t/basic.c:14: adds\nok 3 # SKIP later\n");

    TestReport report = TestReportFiles.read(workspace, TestReportFiles.conventionalGlobs());

    assertThat(report.counts()).isEqualTo(new TestCounts(3, 1, 1));
    assertThat(report.failingTests()).containsExactly("t/basic 2");
  }

  @Test
  void aTrsFileThatIsNoResultIsSkippedAndNoted() throws IOException {
    harness("");
    write("notes.trs", "<Trans scribe=\"someone\"/>\n");

    TestReport report = TestReportFiles.read(workspace, TestReportFiles.conventionalGlobs());

    assertThat(report.counts().total()).isEqualTo(3);
    assertThat(report.unreadableReports())
        .containsExactly("notes.trs: not an Automake test result (no :test-result: line)");
  }

  @Test
  void aLogLinkedOutOfTheWorkspaceIsNeverReadWhileOneLinkedWithinIs(@TempDir Path outside)
      throws IOException {
    Path token = Files.writeString(outside.resolve("worker.token"), "worker-token-3f9a\n");
    write("test_add.trs", FAILED_TRS);
    Files.createSymbolicLink(workspace.resolve("test_add.log"), token);
    write("tests/test_sub.trs", FAILED_TRS);
    write("tests/real.log", FAILED_LOG);
    Files.createSymbolicLink(workspace.resolve("tests/test_sub.log"), Path.of("real.log"));

    TestReport report = TestReportFiles.read(workspace, TestReportFiles.conventionalGlobs());

    assertThat(report.counts()).isEqualTo(new TestCounts(2, 2, 0));
    assertThat(report.toString()).doesNotContain("worker-token-3f9a");
    assertThat(report.failures())
        .extracting(failed -> failed.failure().message())
        .containsExactly(null, "add(2, 3) = -1, want 5");
  }

  private void harness(String dir) throws IOException {
    write(dir + "test_add.trs", FAILED_TRS);
    write(dir + "test_add.log", FAILED_LOG);
    write(dir + "test_sub.trs", PASSED_TRS);
    write(dir + "test_sub.log", "PASS test_sub (exit status: 0)\n");
    write(dir + "test_skip.trs", SKIPPED_TRS);
    write(dir + "test_skip.log", "SKIP test_skip (exit status: 77)\n");
    write(
        dir + "test-suite.log",
        "# TOTAL: 3\n# PASS:  1\n# SKIP:  1\n# XFAIL: 0\n# FAIL:  1\n# XPASS: 0\n# ERROR: 0\n");
  }

  private void write(String relative, String content) throws IOException {
    Path file = workspace.resolve(relative);
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
  }
}
