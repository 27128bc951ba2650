package dev.kiln.activities.summary;

import dev.kiln.workflows.activities.TestCounts;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Results from {@code buck2 test}'s console output, which is what Buck2 offers without a test
 * runner of one's own. Each result it shows is a line {@code ✗ Fail: root//:test_add (0.1s)} (also
 * {@code ✓ Pass}, {@code ↷ Skip}, {@code ⚠ Fatal}, {@code ✉ Timeout}, …) followed by the runner's
 * details: Buck2's own runner, one result per test target, writes the test's output there between
 * {@code ---- STDOUT ----} and {@code ---- STDERR ----}. The closing line {@code Tests finished:
 * Pass 1. Fail 1. Timeout 0. Fatal 0. Skip 0. Omit 0. Infra Failure 0. Build failure 0} (older
 * versions have fewer columns) gives the counts, which also cover the passing tests a runner does
 * not show.
 */
final class Buck2Output {

  private static final Pattern RESULT =
      Pattern.compile(
          "^\\S+ (?<status>Pass|Fail|Skip|Omitted|Fatal|Timeout|Infra Failure|Listing failed"
              + "|Unknown|Rerun|Listing success): (?<name>.+?)(?: \\([\\d:.]+s\\))?$");

  private static final Pattern FINISHED =
      Pattern.compile("^Tests finished: (?<columns>(?:Listing Fail \\d+\\. )?Pass \\d+\\. .*)$");

  private static final Pattern COLUMN = Pattern.compile("(?<label>[A-Za-z][A-Za-z ]*?) (?<n>\\d+)");

  /** The details of one result: enough for its first {@code file:line:} line. */
  private static final int MAX_DETAIL_LINES = 200;

  private final FailureLocator locator;
  private final TestTally listed = new TestTally();
  private TestCounts finished;
  private String failing;
  private List<String> details;

  Buck2Output(FailureLocator locator) {
    this.locator = locator;
  }

  void accept(String line) {
    Matcher m;
    if ((m = RESULT.matcher(line)).matches()) {
      endFailure();
      result(m.group("status"), m.group("name"));
    } else if ((m = FINISHED.matcher(line)).matches()) {
      endFailure();
      finished = counts(m.group("columns"));
    } else if (failing != null && details.size() < MAX_DETAIL_LINES) {
      details.add(line);
    }
  }

  private void result(String status, String name) {
    switch (status) {
      case "Pass" -> listed.add(TestResult.passed(suite(name), name, null));
      case "Skip", "Omitted" -> listed.add(TestResult.skipped(suite(name), name, null));
      // A listing is not a test; a rerun is followed by its final result.
      case "Listing success", "Rerun" -> {}
      default -> {
        failing = name;
        details = new ArrayList<>();
      }
    }
  }

  /** A runner that names test cases writes {@code //pkg:target - case}; the target groups them. */
  private static String suite(String name) {
    int dash = name.indexOf(" - ");
    return dash > 0 ? name.substring(0, dash) : null;
  }

  private void endFailure() {
    if (failing == null) {
      return;
    }
    List<String> output =
        details.stream()
            .filter(l -> !l.equals("---- STDOUT ----") && !l.equals("---- STDERR ----"))
            .toList();
    listed.add(TestResult.failed(suite(failing), failing, null, locator.output(output)));
    failing = null;
    details = null;
  }

  /**
   * {@code Pass 1. Fail 1. Timeout 0. …}: whatever did not pass or get skipped failed, as Buck2's
   * exit status says.
   */
  private static TestCounts counts(String columns) {
    int total = 0;
    int failed = 0;
    int skipped = 0;
    Matcher column = COLUMN.matcher(columns);
    while (column.find()) {
      int n = Integer.parseInt(column.group("n"));
      switch (column.group("label").strip()) {
        case "Build failure", "Discovered" -> {}
        case "Pass" -> total += n;
        case "Skip", "Omit" -> {
          total += n;
          skipped += n;
        }
        default -> {
          total += n;
          failed += n;
        }
      }
    }
    return new TestCounts(total, failed, skipped);
  }

  void finish() {
    endFailure();
  }

  /** Whether Buck2 ran tests: a build that failed before any ran keeps its compile error. */
  boolean seen() {
    return finished != null && finished.total() > 0;
  }

  /** The tests Buck2 showed, counted as its closing line counts them. */
  TestReport report(String source) {
    return new TestReport(finished, listed.tests(), source, 0, List.of());
  }
}
