package dev.kiln.activities.summary;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Results from TAP, the Test Anything Protocol that tape, node-tap, Perl's prove and many small
 * runners print, for gates whose runner writes no report file: {@code ok 1 - name}, {@code not ok 2
 * - name}, each failure followed by a YAML block ({@code ---} … {@code ...}) with {@code expected},
 * {@code actual} and {@code at} (where the assertion is). tape names its assertions, not its tests,
 * so a {@code # comment} above them names the group they belong to. Output counts as TAP only with
 * a plan line ({@code 1..N}) or a {@code TAP version} line; only top-level test points count (a
 * nested subtest's points are summed up by its parent's).
 */
final class TapOutput {

  private static final Pattern POINT =
      Pattern.compile("^(?<not>not )?ok(?: (?<number>\\d+))?(?: -)?(?: (?<desc>.*?))?$");
  private static final Pattern DIRECTIVE =
      Pattern.compile("^(?<desc>.*?)\\s*#\\s*(?<kind>SKIP|TODO)\\b.*$", Pattern.CASE_INSENSITIVE);
  private static final Pattern PLAN = Pattern.compile("^1\\.\\.\\d+(?:\\s*#.*)?$");
  private static final Pattern COMMENT = Pattern.compile("^# (?<text>.+)$");
  private static final Pattern YAML_VALUE =
      Pattern.compile(
          "^\\s+(?<key>expected|actual|operator|message|error|at|stack|found|wanted):\\s*(?<value>.*)$");
  private static final Pattern SUMMARY_COMMENT =
      Pattern.compile("^(?:tests|pass|fail|ok|skip|todo|cancelled|suites|duration_ms)\\b.*");

  private static final int MAX_YAML_LINES = 60;

  private final FailureLocator locator;
  private final TestTally tally = new TestTally();
  private boolean declared;
  private String group;
  private String failing;
  private List<String> yaml;
  private boolean inYaml;

  TapOutput(FailureLocator locator) {
    this.locator = locator;
  }

  void accept(String line) {
    if (inYaml) {
      if (line.strip().equals("...")) {
        inYaml = false;
        endFailure();
      } else if (yaml.size() < MAX_YAML_LINES) {
        yaml.add(line);
      }
      return;
    }
    if (failing != null && line.strip().equals("---")) {
      inYaml = true;
      yaml = new ArrayList<>();
      return;
    }
    endFailure();
    Matcher m;
    if (line.startsWith("TAP version ") || PLAN.matcher(line).matches()) {
      declared = true;
    } else if ((m = POINT.matcher(line)).matches()) {
      point(m);
    } else if ((m = COMMENT.matcher(line)).matches()
        && !SUMMARY_COMMENT.matcher(m.group("text")).matches()) {
      group = m.group("text").replaceFirst("^Subtest: ", "");
    }
  }

  private void point(Matcher point) {
    String desc = point.group("desc") == null ? "" : point.group("desc").strip();
    Matcher directive = DIRECTIVE.matcher(desc);
    String name = directive.matches() ? directive.group("desc") : desc;
    name = name.isEmpty() ? "#" + point.group("number") : name;
    String full = group == null || group.equals(name) ? name : group + " > " + name;
    if (directive.matches()) {
      tally.add(TestResult.skipped(group, full, null));
    } else if (point.group("not") == null) {
      tally.add(TestResult.passed(group, full, null));
    } else {
      failing = full;
      yaml = new ArrayList<>();
    }
  }

  /** A failure's details are its YAML block, if it has one. */
  private void endFailure() {
    if (failing == null) {
      return;
    }
    String description =
        failing.contains(" > ") ? failing.substring(failing.lastIndexOf(" > ") + 3) : failing;
    List<String> message = new ArrayList<>(List.of(description));
    List<String> values = new ArrayList<>();
    List<String> stack = new ArrayList<>();
    boolean errorSaysAll = false;
    for (int i = 0; i < yaml.size(); i++) {
      Matcher value = YAML_VALUE.matcher(yaml.get(i));
      if (!value.matches()) {
        continue;
      }
      String text = value.group("value").strip();
      List<String> lines = new ArrayList<>(List.of(text));
      if (text.matches("[|>][-+]?")) {
        // A block scalar: the value is on the lines indented below its key.
        int indent = yaml.get(i).indexOf(value.group("key"));
        lines.clear();
        while (i + 1 < yaml.size() && indentOf(yaml.get(i + 1)) > indent) {
          lines.add(yaml.get(++i).strip());
        }
        text = String.join(" ", lines.stream().filter(l -> !l.isEmpty()).toList());
      }
      switch (value.group("key")) {
        case "at" -> stack.add("    at " + text);
        // node's test runner: the frames of the error's stack, without V8's "at".
        case "stack" -> lines.forEach(frame -> stack.add("    at " + frame));
        case "operator" -> {}
        case "message" -> message.set(0, unquote(text));
        case "error" -> {
          // node's test runner: the assertion error's own message, which shows the values.
          message.set(0, unquote(text));
          errorSaysAll = true;
        }
        default -> values.add(value.group("key") + ": " + text);
      }
    }
    if (!errorSaysAll) {
      message.addAll(values);
    }
    stack.addAll(yaml);
    TestFailure located = locator.javaScriptError(stack);
    String text = MessageLines.join(message);
    tally.add(
        TestResult.failed(
            group, failing, null, new TestFailure(text, located.file(), located.line())));
    failing = null;
    yaml = null;
  }

  private static int indentOf(String line) {
    int i = 0;
    while (i < line.length() && line.charAt(i) == ' ') {
      i++;
    }
    return i == line.length() ? Integer.MAX_VALUE : i;
  }

  private static String unquote(String value) {
    String v = value.strip();
    if (v.length() >= 2
        && (v.startsWith("'") && v.endsWith("'") || v.startsWith("\"") && v.endsWith("\""))) {
      v = v.substring(1, v.length() - 1);
    }
    return v.replace("\\n", " ").replaceAll("\\s+", " ").strip();
  }

  void finish() {
    if (inYaml) {
      inYaml = false;
    }
    endFailure();
  }

  boolean seen() {
    return declared && !tally.isEmpty();
  }

  TestTally tally() {
    return tally;
  }
}
