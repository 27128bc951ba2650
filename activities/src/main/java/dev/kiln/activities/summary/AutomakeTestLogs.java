package dev.kiln.activities.summary;

import dev.kiln.activities.files.WorkspaceFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what Automake's parallel test harness ({@code make check} with {@code TESTS = …}) leaves
 * next to each test: {@code <test>.trs}, its result as {@code :test-result: FAIL} lines (one per
 * test, or one per test point under a TAP driver), and {@code <test>.log}, the test's output. The
 * harness's own {@code test-suite.log} adds nothing these two do not say.
 *
 * <p>A test is named by its workspace-relative path without {@code .trs} ({@code test_add}, {@code
 * tests/test_add}), as the harness prints it; its failure is the first {@code file:line:} line of
 * its log. XFAIL (a failure the project expects) counts as passed; XPASS and ERROR as failed, as
 * the harness's own exit status does.
 */
final class AutomakeTestLogs {

  /** The file name every Automake result file ends with. */
  static final String RESULTS_SUFFIX = ".trs";

  private static final Pattern RESULT =
      Pattern.compile("^:test-result:\\s*(?<status>[A-Z]+)\\b.*$");

  /** The harness's own closing line in each log: {@code FAIL test_add (exit status: 1)}. */
  private static final Pattern HARNESS_LINE =
      Pattern.compile("^(?:PASS|FAIL|SKIP|XFAIL|XPASS|ERROR) \\S+ \\(exit status: \\d+\\)$");

  /** A test's log is read this far for its failure: the first lines say it. */
  private static final int MAX_LOG_BYTES = 256 * 1024;

  private final Path workspace;
  private final FailureLocator locator;

  AutomakeTestLogs(Path workspace, FailureLocator locator) {
    this.workspace = workspace;
    this.locator = locator;
  }

  /**
   * @param relative the {@code .trs} file, workspace-relative
   */
  TestTally parse(Path relative) throws IOException, JUnitXmlParser.MalformedReportException {
    Path trs = workspace.resolve(relative);
    String unixPath = relative.toString().replace(relative.getFileSystem().getSeparator(), "/");
    String test = unixPath.substring(0, unixPath.length() - RESULTS_SUFFIX.length());
    List<String> statuses = new ArrayList<>();
    String results;
    try (InputStream in = WorkspaceFiles.openInside(workspace, trs)) {
      results = new String(in.readNBytes(WorkspaceFiles.MAX_READ_BYTES), StandardCharsets.UTF_8);
    }
    for (String line : results.split("\r?\n", -1)) {
      Matcher result = RESULT.matcher(line);
      if (result.matches()) {
        statuses.add(result.group("status"));
      }
    }
    if (statuses.isEmpty()) {
      throw new JUnitXmlParser.MalformedReportException(
          "not an Automake test result (no :test-result: line)", null);
    }
    TestTally tally = new TestTally();
    TestFailure failure = null;
    for (int i = 0; i < statuses.size(); i++) {
      // A TAP driver's test points are numbered, as the harness prints them: "FAIL: t/x 2".
      String name = statuses.size() == 1 ? test : test + " " + (i + 1);
      switch (statuses.get(i)) {
        case "PASS", "XFAIL" -> tally.add(TestResult.passed(null, name, null));
        case "SKIP" -> tally.add(TestResult.skipped(null, name, null));
        default -> {
          if (failure == null) {
            failure = failure(trs, unixPath);
          }
          tally.add(TestResult.failed(null, name, null, failure));
        }
      }
    }
    return tally;
  }

  /** The first {@code file:line:} line of the test's log, else its last line. */
  private TestFailure failure(Path trs, String unixPath) throws IOException {
    String name = trs.getFileName().toString();
    Path log =
        trs.resolveSibling(name.substring(0, name.length() - RESULTS_SUFFIX.length()) + ".log");
    if (!WorkspaceFiles.isRegularInside(workspace, log)) {
      return new TestFailure(null, null, null);
    }
    List<String> lines = new ArrayList<>();
    try (InputStream in = WorkspaceFiles.openInside(workspace, log)) {
      String text = new String(in.readNBytes(MAX_LOG_BYTES), StandardCharsets.UTF_8);
      for (String line : text.split("\r?\n", -1)) {
        if (!HARNESS_LINE.matcher(line).matches()) {
          lines.add(line);
        }
      }
    }
    TestFailure found = locator.output(lines);
    return new TestFailure(found.message(), inTestsDirectory(unixPath, found.file()), found.line());
  }

  /**
   * A test in {@code tests/} that prints {@code test_add.c:8:} means {@code tests/test_add.c}: make
   * ran it, and compiled it, in its own directory.
   */
  private String inTestsDirectory(String unixPath, String file) {
    int slash = unixPath.lastIndexOf('/');
    if (file == null || slash < 0 || file.startsWith("/")) {
      return file;
    }
    String candidate = unixPath.substring(0, slash + 1) + file;
    return Files.isRegularFile(workspace.resolve(candidate)) ? candidate : file;
  }
}
