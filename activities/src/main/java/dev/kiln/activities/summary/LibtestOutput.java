package dev.kiln.activities.summary;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Results from the human output of Rust's test harness (libtest), which {@code cargo test} prints
 * for each test target: it offers JSON only on nightly. The output is regular: {@code Running
 * unittests src/lib.rs (…)} names the target, {@code test tests::adds ... FAILED} each test, {@code
 * ---- tests::adds stdout ----} a failing test's captured output with its {@code panicked at
 * file:line:col} line, and {@code test result: FAILED. 1 passed; 1 failed; …} ends the target.
 */
final class LibtestOutput {

  private static final Pattern RUNNING =
      Pattern.compile("^\\s*Running (?:unittests )?(?<target>\\S+)(?: \\(.*\\))?$");
  private static final Pattern DOC_TESTS = Pattern.compile("^\\s*Doc-tests (?<crate>\\S+)$");
  private static final Pattern TEST =
      Pattern.compile("^test (?<name>.+?) \\.\\.\\. (?<status>ok|FAILED|ignored)\\b.*$");
  private static final Pattern SECTION = Pattern.compile("^---- (?<name>.+?) std(?:out|err) ----$");
  private static final Pattern RESULT =
      Pattern.compile(
          "^test result: (?:ok|FAILED)\\. (?<passed>\\d+) passed; (?<failed>\\d+) failed;"
              + " (?<ignored>\\d+) ignored;.*$");
  private static final Pattern FAILURE_NAME = Pattern.compile("^    (?<name>\\S.*)$");

  /** A failing test's captured output: enough for its panic message. */
  private static final int MAX_SECTION_LINES = 200;

  private final FailureLocator locator;
  private final TestTally tally = new TestTally();
  private String target;
  private final Map<String, String> statuses = new LinkedHashMap<>();
  private final Map<String, List<String>> sections = new LinkedHashMap<>();
  private final List<String> listedFailures = new ArrayList<>();
  private List<String> section;
  private boolean inFailureList;
  private boolean seen;

  LibtestOutput(FailureLocator locator) {
    this.locator = locator;
  }

  void accept(String line) {
    Matcher m;
    if ((m = TEST.matcher(line)).matches()) {
      statuses.put(m.group("name"), m.group("status"));
      section = null;
    } else if ((m = SECTION.matcher(line)).matches()) {
      section = new ArrayList<>();
      sections.putIfAbsent(m.group("name"), section);
    } else if ((m = RESULT.matcher(line)).matches()) {
      endTarget(m);
    } else if (line.equals("failures:")) {
      // The second "failures:" heading lists the failing tests' names, one per line.
      inFailureList = !sections.isEmpty() || section != null;
      section = null;
    } else if (section != null) {
      if (section.size() < MAX_SECTION_LINES) {
        section.add(line);
      }
    } else if (inFailureList && (m = FAILURE_NAME.matcher(line)).matches()) {
      listedFailures.add(m.group("name"));
    } else if ((m = RUNNING.matcher(line)).matches()) {
      flush();
      target = m.group("target");
    } else if ((m = DOC_TESTS.matcher(line)).matches()) {
      flush();
      target = "doctests " + m.group("crate");
    }
  }

  private void endTarget(Matcher result) {
    int declared =
        Integer.parseInt(result.group("passed"))
            + Integer.parseInt(result.group("failed"))
            + Integer.parseInt(result.group("ignored"));
    // `cargo test -q` prints dots instead of names: the failures are still named below.
    for (String name : listedFailures) {
      statuses.putIfAbsent(name, "FAILED");
    }
    if (statuses.size() < declared) {
      int failedUnnamed = Math.max(0, Integer.parseInt(result.group("failed")) - countFailed());
      int ignoredUnnamed =
          Math.max(0, Integer.parseInt(result.group("ignored")) - count("ignored"));
      tally.addCounts(declared - statuses.size(), failedUnnamed, ignoredUnnamed);
    }
    flush();
  }

  private int countFailed() {
    return count("FAILED");
  }

  private int count(String status) {
    return (int) statuses.values().stream().filter(status::equals).count();
  }

  /** Adds the current target's tests, in the order they finished. */
  private void flush() {
    for (Map.Entry<String, String> test : statuses.entrySet()) {
      seen = true;
      String name = test.getKey();
      switch (test.getValue()) {
        case "ok" -> tally.add(TestResult.passed(target, name, null));
        case "ignored" -> tally.add(TestResult.skipped(target, name, null));
        default ->
            tally.add(
                TestResult.failed(
                    target, name, null, locator.rust(sections.getOrDefault(name, List.of()))));
      }
    }
    statuses.clear();
    sections.clear();
    listedFailures.clear();
    section = null;
    inFailureList = false;
  }

  /** Call once the output has ended: a target cut short still counts what it finished. */
  void finish() {
    flush();
  }

  boolean seen() {
    return seen || !tally.isEmpty();
  }

  TestTally tally() {
    return tally;
  }
}
