package dev.kiln.activities.summary;

import dev.kiln.workflows.activities.TestCounts;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Results from pytest's console output, for gates that run pytest without asking it for a JUnit
 * report (a justfile's or Taskfile's {@code test} recipe): the {@code FAILURES} and {@code ERRORS}
 * sections ({@code ____ test_adds ____}, the traceback with pytest's {@code E} lines and {@code
 * test_calc.py:5: AssertionError}), the short summary's {@code FAILED test_calc.py::test_adds - …}
 * lines, which name each failing test by its node id, and the closing {@code === 1 failed, 1
 * passed, 1 skipped in 0.03s ===}, which gives the counts. Passing tests are counted, not named:
 * pytest prints their names only with {@code -v}.
 */
final class PytestOutput {

  private static final Pattern SESSION_START = Pattern.compile("^=+ test session starts =+$");
  private static final Pattern HEADING = Pattern.compile("^=+ (?<title>.+?) =+$");
  private static final Pattern SECTION = Pattern.compile("^_{3,} (?<title>.+?) _{3,}$");
  private static final Pattern SUMMARY_ENTRY =
      Pattern.compile("^(?<kind>FAILED|ERROR) (?<id>\\S+?\\.py::\\S+)(?: - .*)?$");
  private static final Pattern TOTALS =
      Pattern.compile("^(?<parts>\\d+ \\w+(?:, \\d+ \\w+)*) in [\\d.]+s(?: \\([^)]*\\))?$");
  private static final Pattern PART = Pattern.compile("(?<n>\\d+) (?<word>\\w+)");
  private static final Pattern SETUP_OR_TEARDOWN =
      Pattern.compile("^ERROR at (?:setup|teardown) of ");

  /** A failure's traceback: enough for its {@code E} lines and its location. */
  private static final int MAX_SECTION_LINES = 300;

  private final FailureLocator locator;
  private final Map<String, List<String>> sections = new LinkedHashMap<>();
  private final List<String> failedIds = new ArrayList<>();
  private boolean started;
  private List<String> section;
  private TestCounts counts;

  PytestOutput(FailureLocator locator) {
    this.locator = locator;
  }

  void accept(String line) {
    Matcher m;
    if (SESSION_START.matcher(line).matches()) {
      started = true;
      section = null;
    } else if (!started) {
      return;
    } else if ((m = SECTION.matcher(line)).matches()) {
      section = new ArrayList<>();
      sections.putIfAbsent(SETUP_OR_TEARDOWN.matcher(m.group("title")).replaceFirst(""), section);
    } else if ((m = HEADING.matcher(line)).matches()) {
      section = null;
      Matcher totals = TOTALS.matcher(m.group("title"));
      if (totals.matches()) {
        counts = counts(totals.group("parts"));
      }
    } else if ((m = SUMMARY_ENTRY.matcher(line)).matches()) {
      failedIds.add(m.group("id"));
    } else if (section != null && section.size() < MAX_SECTION_LINES) {
      section.add(line);
    }
  }

  /** {@code 3 failed, 1 passed, 1 skipped, 1 error}: errors fail, xfails skip, as in JUnit. */
  private static TestCounts counts(String parts) {
    int total = 0;
    int failed = 0;
    int skipped = 0;
    Matcher part = PART.matcher(parts);
    while (part.find()) {
      int n = Integer.parseInt(part.group("n"));
      switch (part.group("word")) {
        case "passed", "xpassed" -> total += n;
        case "failed", "error", "errors" -> {
          total += n;
          failed += n;
        }
        case "skipped", "xfailed" -> {
          total += n;
          skipped += n;
        }
        default -> {} // warnings, deselected, rerun: not results
      }
    }
    return new TestCounts(total, failed, skipped);
  }

  boolean seen() {
    return counts != null && counts.total() > 0;
  }

  /** The failing tests, named as pytest's JUnit report names them, counted as pytest counts. */
  TestReport report(String source) {
    List<TestResult> failures = new ArrayList<>();
    if (failedIds.isEmpty()) {
      sections.forEach((title, lines) -> failures.add(failure(null, title, lines)));
    }
    for (String id : failedIds) {
      int file = id.indexOf("::");
      String path = id.substring(0, file);
      String inFile = id.substring(file + 2).replace("::", ".");
      String module = path.substring(path.lastIndexOf('/') + 1, path.length() - ".py".length());
      // "TestCalc.test_param[1.5]" has its class; "test_adds" gets its module, as in JUnit.
      String name = inFile.replaceFirst("\\[.*", "").contains(".") ? inFile : module + "." + inFile;
      failures.add(failure(path, name, sections.getOrDefault(inFile, List.of())));
    }
    return new TestReport(counts, failures, source, 0, List.of());
  }

  private TestResult failure(String suite, String name, List<String> traceback) {
    List<String> message = new ArrayList<>();
    for (String line : traceback) {
      if (line.startsWith("E ")) {
        message.add(line.substring(1));
      }
    }
    String text = message.isEmpty() ? null : String.join("\n", message);
    return TestResult.failed(
        suite, name, null, locator.junit(null, text, null, traceback, List.of()));
  }
}
