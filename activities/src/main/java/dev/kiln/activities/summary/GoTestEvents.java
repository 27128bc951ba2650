package dev.kiln.activities.summary;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Results from {@code go test -json}: test2json's events, one JSON object per line ({@code run},
 * {@code output}, {@code pass}, {@code fail}, {@code skip}), which tag every output line with its
 * package and test even when tests run in parallel. A test's output is kept while it runs (bounded)
 * so that a failure can be located in it: its {@code t.Errorf} line, or its panic and the test's
 * own frame in the goroutine dump.
 */
final class GoTestEvents {

  /** A goroutine dump names the test's frame within its first few dozen lines. */
  private static final int MAX_LINES_PER_TEST = 400;

  /** Tests running at once that are tracked; beyond, a test's output is not kept. */
  private static final int MAX_RUNNING = 10_000;

  private final FailureLocator locator;
  private final TestTally tally = new TestTally();
  private final Map<String, List<String>> running = new HashMap<>();
  private boolean seen;

  GoTestEvents(FailureLocator locator) {
    this.locator = locator;
  }

  /** Whether {@code event} is one of test2json's (or go build -json's) events. */
  static boolean isEvent(JsonNode event) {
    return event.isObject()
        && event.path("Action").isTextual()
        && (event.has("Package") || event.has("ImportPath"));
  }

  /** The text an {@code output} or {@code build-output} event carries; {@code null} for others. */
  static String outputOf(JsonNode event) {
    String action = event.path("Action").asText();
    return action.equals("output") || action.equals("build-output")
        ? event.path("Output").asText("")
        : null;
  }

  void accept(JsonNode event) {
    String test = event.path("Test").asText(null);
    if (test == null) {
      return;
    }
    seen = true;
    String pkg = event.path("Package").asText("");
    String key = pkg + "\u0000" + test;
    switch (event.path("Action").asText()) {
      case "run" -> {
        if (running.size() < MAX_RUNNING) {
          running.put(key, new ArrayList<>());
        }
      }
      case "output" -> {
        List<String> lines = running.get(key);
        if (lines != null && lines.size() < MAX_LINES_PER_TEST) {
          String text = event.path("Output").asText("");
          lines.add(text.endsWith("\n") ? text.substring(0, text.length() - 1) : text);
        }
      }
      case "pass" -> {
        running.remove(key);
        tally.add(TestResult.passed(pkg, test, millis(event)));
      }
      case "skip" -> {
        running.remove(key);
        tally.add(TestResult.skipped(pkg, test, millis(event)));
      }
      case "fail" -> {
        List<String> lines = running.remove(key);
        TestFailure failure = locator.go(test, lines == null ? List.of() : lines);
        tally.add(TestResult.failed(pkg, test, millis(event), failure));
      }
      default -> {}
    }
  }

  /** Whether any test event came by. */
  boolean seen() {
    return seen;
  }

  TestTally tally() {
    return tally;
  }

  private static Long millis(JsonNode event) {
    JsonNode elapsed = event.get("Elapsed");
    return elapsed != null && elapsed.isNumber() ? Math.round(elapsed.asDouble() * 1000) : null;
  }
}
