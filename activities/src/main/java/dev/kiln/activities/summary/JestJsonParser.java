package dev.kiln.activities.summary;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads Jest's own results file ({@code jest --json --outputFile=…}): Jest has no JUnit reporter of
 * its own, and its JSON carries each assertion's message and stack. A test file that failed to run
 * at all (a syntax error, a missing module) counts as one failed test named after the file, so the
 * summary can name it.
 */
final class JestJsonParser {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final FailureLocator locator;
  private final WorkspacePaths paths;

  JestJsonParser(FailureLocator locator, WorkspacePaths paths) {
    this.locator = locator;
    this.paths = paths;
  }

  /** Whether {@code root} is Jest's results object. */
  static boolean isJestResults(JsonNode root) {
    return root.has("testResults") && root.has("numTotalTests");
  }

  TestTally parse(Path file) throws IOException, JUnitXmlParser.MalformedReportException {
    JsonNode root;
    try (InputStream in = Files.newInputStream(file)) {
      root = JSON.readTree(in);
    } catch (JsonProcessingException e) {
      throw new JUnitXmlParser.MalformedReportException(e.getOriginalMessage(), e);
    }
    if (root == null || !isJestResults(root)) {
      throw new JUnitXmlParser.MalformedReportException(
          "not a JUnit XML report nor Jest's --json results", null);
    }
    TestTally tally = new TestTally();
    for (JsonNode suite : root.path("testResults")) {
      String testFile = paths.tidy(suite.path("name").asText("?"));
      JsonNode assertions = suite.path("assertionResults");
      if (assertions.isEmpty() && "failed".equals(suite.path("status").asText())) {
        List<String> message = suite.path("message").asText("").lines().toList();
        tally.add(TestResult.failed(testFile, testFile, null, locator.javaScriptError(message)));
        continue;
      }
      for (JsonNode test : assertions) {
        tally.add(result(testFile, test));
      }
    }
    return tally;
  }

  private TestResult result(String file, JsonNode test) {
    List<String> titles = new ArrayList<>();
    test.path("ancestorTitles").forEach(t -> titles.add(t.asText()));
    titles.add(test.path("title").asText("?"));
    String name = String.join(" > ", titles);
    Long millis = test.path("duration").isNumber() ? test.path("duration").asLong() : null;
    return switch (test.path("status").asText()) {
      case "passed" -> TestResult.passed(file, name, millis);
      case "failed" -> {
        List<String> lines = new ArrayList<>();
        test.path("failureMessages").forEach(m -> lines.addAll(m.asText().lines().toList()));
        yield TestResult.failed(file, name, millis, locator.javaScriptError(lines));
      }
      default -> TestResult.skipped(file, name, millis);
    };
  }
}
