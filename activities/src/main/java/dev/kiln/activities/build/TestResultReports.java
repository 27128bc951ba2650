package dev.kiln.activities.build;

import dev.kiln.activities.RunAttempt;
import dev.kiln.activities.api.ApiRejectedException;
import dev.kiln.activities.api.KilnApiClient;
import dev.kiln.activities.summary.TestFailure;
import dev.kiln.activities.summary.TestResult;
import dev.kiln.workflows.internal.InternalBodies.TestEntry;
import dev.kiln.workflows.internal.InternalBodies.TestsPart;
import dev.kiln.workflows.internal.InternalPaths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a gate's test results from the build host straight to the api ({@code POST
 * /internal/runs/{id}/gates/{name}/tests}, docs/internal-api.md), in parts small enough for its 1
 * MiB body limit. Never through the workflow: a suite of thousands of tests would crowd Temporal's
 * history and payload limits. Best effort, as the run's figures are: the gate's result does not
 * depend on them, so a failure to store them is logged, not thrown.
 */
class TestResultReports {

  private static final Logger log = LoggerFactory.getLogger(TestResultReports.class);

  /** Tests per request: at most ~1.5 KB each (name, suite, message), so well under 1 MiB. */
  static final int PART_SIZE = 500;

  private static final int ATTEMPTS = 3;

  private final KilnApiClient api;

  TestResultReports(KilnApiClient api) {
    this.api = api;
  }

  /**
   * @return null when stored, else why not (for the step's log)
   */
  String send(RunAttempt attempt, String gate, List<TestResult> results) {
    int total = results.size();
    for (int first = 0; first == 0 || first < total; first += PART_SIZE) {
      List<TestEntry> part = new ArrayList<>();
      for (TestResult result : results.subList(first, Math.min(total, first + PART_SIZE))) {
        part.add(test(result));
      }
      String failed = post(attempt, gate, new TestsPart(first, total, part));
      if (failed != null) {
        return failed;
      }
    }
    return null;
  }

  /** One part; {@code first} 0 replaces whatever an earlier attempt of the gate stored. */
  private String post(RunAttempt attempt, String gate, TestsPart part) {
    RuntimeException last = null;
    for (int tries = 1; tries <= ATTEMPTS; tries++) {
      try {
        api.post(attempt, InternalPaths.gateTests(attempt.runId(), gate), part);
        return null;
      } catch (ApiRejectedException e) {
        if (!e.isRetryable()) {
          return e.getMessage();
        }
        last = e;
      } catch (RuntimeException e) {
        last = e;
      }
      if (tries < ATTEMPTS) {
        pause(tries);
      }
    }
    log.warn("{}: could not store the test results of gate {}: {}", attempt, gate, last.toString());
    return last.getMessage();
  }

  private static void pause(int attempt) {
    try {
      TimeUnit.SECONDS.sleep(attempt);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static TestEntry test(TestResult result) {
    TestFailure failure = result.failure();
    return new TestEntry(
        result.suite(),
        result.name(),
        result.status().wireName(),
        result.durationMillis(),
        failure == null ? null : failure.message(),
        failure == null ? null : failure.file(),
        failure == null ? null : failure.line());
  }
}
