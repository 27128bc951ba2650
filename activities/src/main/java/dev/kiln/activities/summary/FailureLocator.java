package dev.kiln.activities.summary;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds, in what a runner printed about one failing test, the line a person looks for first: the
 * assertion or panic, with the file and line of the test's own code. Stack traces name runtime and
 * framework frames first or last; these rules skip them to the frame in the test.
 */
final class FailureLocator {

  /** JVM: {@code at com.acme.CalcTest.adds(CalcTest.java:9)}. */
  private static final Pattern JVM_FRAME =
      Pattern.compile("^\\s*at (?<cls>[\\w.$]+)\\.[\\w$<>-]+\\((?<file>[^():]+):(?<line>\\d+)\\)");

  private static final List<String> JVM_FRAMEWORKS =
      List.of(
          "java.",
          "javax.",
          "jdk.",
          "sun.",
          "org.junit.",
          "junit.",
          "org.opentest4j.",
          "org.assertj.",
          "org.hamcrest.",
          "org.apache.maven.",
          "org.gradle.",
          "kotlin.",
          "org.testng.",
          "com.google.common.truth.",
          "groovy.",
          "org.codehaus.groovy.");

  /** pytest: {@code test_calc.py:5: AssertionError}, also a bare {@code calc.py:3: }. */
  private static final Pattern PYTEST_ENTRY =
      Pattern.compile("^(?<file>[^\\s:]+\\.py):(?<line>\\d+):(?: .*)?$");

  /** Python's own traceback: {@code File "/ws/test_calc.py", line 5, in test_add}. */
  private static final Pattern PYTHON_FRAME =
      Pattern.compile("^\\s*File \"(?<file>[^\"]+\\.py)\", line (?<line>\\d+)");

  /** V8: {@code at Object.<anonymous> (/ws/calc.test.js:4:10)} or {@code at /ws/a.js:4:10}. */
  private static final Pattern JS_FRAME =
      Pattern.compile(
          "^\\s*at (?:.*? \\()?(?:file://)?(?<file>[^\\s()]+?):(?<line>\\d+):(?<col>\\d+)\\)?"
              // node prints an error's own properties after its last frame: "… (x.js:1:2) {".
              + "(?: \\{)?$");

  /** Go's testing: {@code calc_test.go:7: Add(2, 3) = -1, want 5}. */
  private static final Pattern GO_LOG =
      Pattern.compile("^(?<indent>\\s+)(?<file>[\\w./-]+\\.go):(?<line>\\d+): (?<msg>.*)$");

  private static final Pattern GO_PANIC =
      Pattern.compile("^panic: (?<msg>.+?)(?: \\[recovered[^\\]]*\\])?$");

  /** A goroutine frame's location: {@code \t/ws/calc_test.go:13 +0x10}. */
  private static final Pattern GO_FRAME_LOCATION =
      Pattern.compile("^\\t(?<file>\\S+\\.go):(?<line>\\d+)(?: \\+0x[0-9a-f]+)?$");

  /** Rust ≥ 1.73: {@code thread 'tests::adds' panicked at src/lib.rs:7:9:}, message below. */
  private static final Pattern RUST_PANIC =
      Pattern.compile(
          "^thread '[^']*'(?: \\(\\d+\\))? panicked at (?<file>[^\\s:]+):(?<line>\\d+):(?<col>\\d+):(?<rest>.*)$");

  /** Rust before 1.73: {@code thread 'x' panicked at 'message', src/lib.rs:7:9}. */
  private static final Pattern RUST_PANIC_OLD =
      Pattern.compile("^thread '[^']*'(?: \\(\\d+\\))? panicked at '(?<msg>.*)$");

  private static final Pattern RUST_OLD_END =
      Pattern.compile("^(?<msg>.*)', (?<file>[^\\s:]+):(?<line>\\d+):(?<col>\\d+)$");

  /**
   * Any tool's {@code file:line: message}: a C test's {@code test.c:4: add(2, 3) = -1, want 5},
   * assert.h's {@code prog: test.c:12: main: Assertion `x' failed.}.
   */
  private static final Pattern FILE_LINE =
      Pattern.compile(
          "^\\s*(?:[\\w.+-]+: )?(?<file>[\\w./+-]*\\w\\.[A-Za-z]\\w{0,9}):(?<line>\\d+)(?::\\d+)?:"
              + " (?<msg>.*\\S.*)$");

  private final WorkspacePaths paths;

  FailureLocator(WorkspacePaths paths) {
    this.paths = paths;
  }

  /**
   * A JUnit XML failure from any runner that writes one: JVM, pytest, Node, CTest.
   *
   * @param className the testcase's {@code classname}, to find its own frame in a JVM stack
   * @param message the failure's {@code message} attribute
   * @param type the failure's {@code type} attribute (an exception class)
   * @param details the failure's text (a stack trace, a traceback)
   * @param output the testcase's {@code system-out} (CTest puts the test's output there)
   */
  TestFailure junit(
      String className, String message, String type, List<String> details, List<String> output) {
    Optional<Location> where = jvm(className, details);
    if (where.isPresent()) {
      // Gradle writes the exception's toString as the message: "java.lang.AssertionError: …".
      String own =
          message != null && type != null && message.startsWith(type + ": ")
              ? message.substring(type.length() + 2)
              : message;
      String text = own != null ? MessageLines.join(own) : firstMessageLine(details);
      return failure(withType(type, text), where.get());
    }
    where = python(details);
    if (where.isPresent()) {
      String text = message != null ? MessageLines.join(message) : firstMessageLine(details);
      return failure(text, where.get());
    }
    where = javaScript(details);
    if (where.isPresent()) {
      // node's reporter joins the message's lines without a space in the attribute; the text
      // above the stack keeps them apart.
      String text = firstMessageLine(details);
      return failure(text != null ? text : MessageLines.join(message), where.get());
    }
    Optional<TestFailure> fromOutput = fileLine(details).or(() -> fileLine(output));
    if (fromOutput.isPresent()) {
      return fromOutput.get();
    }
    String text = message != null ? MessageLines.join(message) : firstMessageLine(details);
    if (text == null || text.equals("Failed")) {
      // CTest's message says nothing; the test's last words usually do.
      text = lastLine(output).orElse(text);
    }
    return new TestFailure(text, null, null);
  }

  /** A Jest failure message: the assertion, then its stack. */
  TestFailure javaScriptError(List<String> lines) {
    List<String> message = new ArrayList<>();
    for (String line : lines) {
      if (JS_FRAME.matcher(line).find()) {
        break;
      }
      message.add(line);
    }
    String text = MessageLines.join(stripErrorPrefix(message));
    return javaScript(lines).map(l -> failure(text, l)).orElse(new TestFailure(text, null, null));
  }

  /** A Go test's output, from {@code === RUN} to {@code --- FAIL}. */
  TestFailure go(String testName, List<String> output) {
    for (int i = 0; i < output.size(); i++) {
      Matcher panic = GO_PANIC.matcher(output.get(i));
      if (panic.matches()) {
        String message = "panic: " + panic.group("msg");
        return goFrame(testName, output.subList(i + 1, output.size()))
            .map(l -> failure(message, l))
            .orElse(new TestFailure(message, null, null));
      }
    }
    for (int i = 0; i < output.size(); i++) {
      Matcher log = GO_LOG.matcher(output.get(i));
      if (log.matches()) {
        List<String> message = new ArrayList<>(List.of(log.group("msg")));
        // t.Errorf with newlines continues on lines indented deeper than the first.
        String deeper = log.group("indent") + "    ";
        for (int j = i + 1; j < output.size() && output.get(j).startsWith(deeper); j++) {
          message.add(output.get(j));
        }
        return failure(MessageLines.join(message), location(log));
      }
    }
    return new TestFailure(firstMessageLine(withoutGoMarkers(output)), null, null);
  }

  /** The test's own frame in a goroutine dump: the function named after the test. */
  private Optional<Location> goFrame(String testName, List<String> dump) {
    String topLevel =
        testName.contains("/") ? testName.substring(0, testName.indexOf('/')) : testName;
    Pattern own = Pattern.compile("^\\S*\\." + Pattern.quote(topLevel) + "(?:\\.func[\\d.]+)?\\(");
    Location firstTestFile = null;
    for (int i = 0; i + 1 < dump.size(); i++) {
      Matcher where = GO_FRAME_LOCATION.matcher(dump.get(i + 1));
      if (!where.matches()) {
        continue;
      }
      if (own.matcher(dump.get(i)).find()) {
        return Optional.of(location(where));
      }
      if (firstTestFile == null && where.group("file").endsWith("_test.go")) {
        firstTestFile = location(where);
      }
    }
    return Optional.ofNullable(firstTestFile);
  }

  /** A Rust test's captured output: the {@code ---- name stdout ----} section. */
  TestFailure rust(List<String> output) {
    for (int i = 0; i < output.size(); i++) {
      Matcher panic = RUST_PANIC.matcher(output.get(i));
      if (panic.matches()) {
        List<String> message = new ArrayList<>();
        if (!panic.group("rest").isBlank()) {
          message.add(panic.group("rest"));
        }
        for (int j = i + 1; j < output.size() && !isRustEpilogue(output.get(j)); j++) {
          message.add(output.get(j));
        }
        return failure(MessageLines.join(message), location(panic));
      }
      Matcher old = RUST_PANIC_OLD.matcher(output.get(i));
      if (old.matches()) {
        List<String> message = new ArrayList<>();
        String line = old.group("msg");
        for (int j = i + 1; ; j++) {
          Matcher end = RUST_OLD_END.matcher(line);
          if (end.matches()) {
            message.add(end.group("msg"));
            return failure(MessageLines.join(message), location(end));
          }
          message.add(line);
          if (j >= output.size()) {
            return new TestFailure(MessageLines.join(message), null, null);
          }
          line = output.get(j);
        }
      }
    }
    return fileLine(output).orElseGet(() -> new TestFailure(firstMessageLine(output), null, null));
  }

  /** Output without structure (a C test under CTest, a script): its first {@code file:line:}. */
  TestFailure output(List<String> output) {
    return fileLine(output)
        .orElseGet(() -> new TestFailure(lastLine(output).orElse(null), null, null));
  }

  private static boolean isRustEpilogue(String line) {
    return line.startsWith("note: ") || line.startsWith("stack backtrace:") || line.isBlank();
  }

  private Optional<Location> jvm(String className, List<String> details) {
    Location firstOwn = null;
    for (String line : details) {
      Matcher frame = JVM_FRAME.matcher(line);
      if (!frame.find()) {
        continue;
      }
      String cls = frame.group("cls");
      if (className != null && (cls.equals(className) || cls.startsWith(className + "$"))) {
        return Optional.of(location(frame));
      }
      if (firstOwn == null && JVM_FRAMEWORKS.stream().noneMatch(cls::startsWith)) {
        firstOwn = location(frame);
      }
    }
    return Optional.ofNullable(firstOwn);
  }

  /** The innermost entry in a test file, else the innermost entry: where it went wrong. */
  private Optional<Location> python(List<String> details) {
    Location inTest = null;
    Location last = null;
    for (String line : details) {
      Matcher entry = PYTEST_ENTRY.matcher(line);
      if (!entry.matches()) {
        entry = PYTHON_FRAME.matcher(line);
        if (!entry.find()) {
          continue;
        }
      }
      last = location(entry);
      String name = last.file().substring(last.file().lastIndexOf('/') + 1);
      if (name.startsWith("test_") || name.endsWith("_test.py")) {
        inTest = last;
      }
    }
    return Optional.ofNullable(inTest != null ? inTest : last);
  }

  private Optional<Location> javaScript(List<String> details) {
    for (String line : details) {
      Matcher frame = JS_FRAME.matcher(line);
      if (frame.find()) {
        String file = frame.group("file");
        if (!file.startsWith("node:") && !file.contains("node_modules/") && file.contains(".")) {
          return Optional.of(location(frame));
        }
      }
    }
    return Optional.empty();
  }

  private Optional<TestFailure> fileLine(List<String> lines) {
    for (String line : lines) {
      Matcher m = FILE_LINE.matcher(Ansi.strip(line));
      if (m.matches()) {
        return Optional.of(failure(MessageLines.join(List.of(m.group("msg"))), location(m)));
      }
    }
    return Optional.empty();
  }

  private static String withType(String type, String message) {
    if (type == null || type.isBlank()) {
      return message;
    }
    String simple = type.substring(type.lastIndexOf('.') + 1);
    // "expected: <5> but was: <-1>" needs no "AssertionFailedError"; an NPE's message needs its
    // name.
    if (simple.contains("Assert") || simple.contains("ComparisonFailure")) {
      return message;
    }
    return message == null ? simple : simple + ": " + message;
  }

  /** The first line that is not a stack frame, without the exception's package. */
  private static String firstMessageLine(List<String> lines) {
    List<String> message = new ArrayList<>();
    for (String line : lines) {
      if (JVM_FRAME.matcher(line).find() || JS_FRAME.matcher(line).find()) {
        break;
      }
      if (!line.isBlank()) {
        message.add(line);
      }
      if (message.size() > 4) {
        break;
      }
    }
    return MessageLines.join(stripErrorPrefix(message));
  }

  /** {@code java.lang.IllegalStateException: x} → {@code IllegalStateException: x}. */
  private static List<String> stripErrorPrefix(List<String> message) {
    if (message.isEmpty()) {
      return message;
    }
    List<String> copy = new ArrayList<>(message);
    copy.set(
        0,
        copy.get(0)
            .strip()
            // Node: "Error [ERR_TEST_FAILURE]: Expected …", "AssertionError [ERR_ASSERTION]: …".
            .replaceFirst("^(?:Assertion)?Error(?: \\[ERR_\\w+\\])?: ", "")
            .replaceFirst("^(?:[a-z][\\w$]*\\.)+([A-Z][\\w$]*:)", "$1"));
    return copy;
  }

  private static List<String> withoutGoMarkers(List<String> output) {
    return output.stream()
        .filter(l -> !l.startsWith("=== ") && !l.startsWith("--- ") && !l.isBlank())
        .toList();
  }

  private static Optional<String> lastLine(List<String> lines) {
    for (int i = lines.size() - 1; i >= 0; i--) {
      String line = Ansi.strip(lines.get(i)).strip();
      if (!line.isEmpty()) {
        return Optional.of(Summaries.fit(line, TestFailure.MAX_MESSAGE));
      }
    }
    return Optional.empty();
  }

  private TestFailure failure(String message, Location where) {
    return new TestFailure(message, where.file(), where.line());
  }

  private Location location(Matcher m) {
    return new Location(paths.tidy(m.group("file")), Integer.parseInt(m.group("line")));
  }

  private record Location(String file, int line) {}
}
