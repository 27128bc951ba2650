package dev.kiln.api.internal;

import dev.kiln.api.fencing.AttemptFence;
import dev.kiln.api.runs.RunRepository;
import dev.kiln.api.runs.TestResultRepository;
import dev.kiln.api.runs.TestResultRepository.StoredTest;
import dev.kiln.api.web.ApiException;
import dev.kiln.api.web.RunIds;
import dev.kiln.workflows.internal.AttemptFencing;
import dev.kiln.workflows.internal.InternalBodies.TestEntry;
import dev.kiln.workflows.internal.InternalBodies.TestsPart;
import dev.kiln.workflows.internal.InternalPaths;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * A gate's per-test results, straight from the build host (docs/internal-api.md), in parts. Ignored
 * once the run has ended, like the ledger.
 */
@RestController
class InternalTestsController {

  /** More than any part a worker sends; a bound for what one request may ask of the database. */
  static final int MAX_PART = 5_000;

  /** Longest test name or suite stored: JVM parameterized names run long, none this long. */
  static final int MAX_TEST_NAME = 1000;

  static final int MAX_MESSAGE = 1000;

  private static final Set<String> STATUSES = Set.of("passed", "failed", "skipped");

  private final TestResultRepository tests;
  private final RunRepository runs;
  private final AttemptFence fence;

  InternalTestsController(TestResultRepository tests, RunRepository runs, AttemptFence fence) {
    this.fence = fence;
    this.tests = tests;
    this.runs = runs;
  }

  @PostMapping(path = InternalPaths.GATE_TESTS, consumes = MediaType.APPLICATION_JSON_VALUE)
  @ResponseStatus(HttpStatus.NO_CONTENT)
  void tests(
      @PathVariable String id,
      @PathVariable String name,
      @RequestHeader(name = AttemptFencing.ATTEMPT_HEADER, required = false) Integer attempt,
      @RequestBody TestsPart body) {
    long runId = RunIds.parse(id);
    String gate = InternalInput.name("gate name", name);
    if (body.first() == null || body.first() < 0) {
      throw ApiException.badRequest("first: must be the first test's place in the gate, 0 or more");
    }
    List<TestEntry> entries = body.tests() == null ? List.of() : body.tests();
    if (entries.size() > MAX_PART) {
      throw ApiException.badRequest(
          "tests: " + entries.size() + " in one part; at most " + MAX_PART);
    }
    List<StoredTest> stored = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      stored.add(test(gate, body.first() + i, entries.get(i), "tests[" + i + "]"));
    }
    boolean building =
        fence.guarded(
            runId, attempt, "tests", () -> tests.storePart(runId, gate, body.first(), stored));
    if (!building && !runs.exists(runId)) {
      throw ApiException.runNotFound(runId);
    }
  }

  private static StoredTest test(String gate, int ordinal, TestEntry entry, String path) {
    if (entry == null) {
      throw ApiException.badRequest(path + ": must not be null");
    }
    String testName = InternalInput.text(entry.name(), MAX_TEST_NAME);
    if (testName == null || testName.isBlank()) {
      throw ApiException.badRequest(path + ".name is required");
    }
    if (entry.status() == null || !STATUSES.contains(entry.status())) {
      throw ApiException.badRequest(
          path + ".status: \"" + entry.status() + "\" is not one of passed, failed, skipped");
    }
    if (entry.durationMs() != null && entry.durationMs() < 0) {
      throw ApiException.badRequest(path + ".duration_ms: must not be negative");
    }
    if (entry.line() != null && entry.line() < 1) {
      throw ApiException.badRequest(path + ".line: must be 1 or more");
    }
    return new StoredTest(
        gate,
        ordinal,
        new TestEntry(
            InternalInput.text(entry.suite(), MAX_TEST_NAME),
            testName,
            entry.status(),
            entry.durationMs(),
            InternalInput.text(entry.message(), MAX_MESSAGE),
            InternalInput.text(entry.file(), MAX_TEST_NAME),
            entry.line()));
  }
}
