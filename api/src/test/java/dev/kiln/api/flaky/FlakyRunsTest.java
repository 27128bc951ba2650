package dev.kiln.api.flaky;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.runs.RunRecord;
import dev.kiln.workflows.Phase;
import dev.kiln.workflows.Result;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlakyRunsTest {

  static final String SHA = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";

  static RunRecord run(long id, String sha, Result result, String failureSummary, Long retryOf) {
    return new RunRecord(
        id,
        "https://git.example.com/app.git",
        SHA,
        "main",
        sha,
        "x86_64",
        "https://git.example.com/app.git#main@x86_64",
        null,
        "normal",
        true,
        null,
        Phase.DONE,
        result,
        failureSummary,
        null,
        null,
        "kiln-run-" + id,
        null,
        "host-a",
        null,
        null,
        null,
        List.of(),
        Instant.parse("2026-12-02T10:00:00Z"),
        Instant.parse("2026-12-02T10:00:01Z"),
        Instant.parse("2026-12-02T10:01:00Z"),
        60,
        "loopback",
        retryOf);
  }

  static final RunRecord TESTS_FAILED =
      run(1, SHA, Result.FAILED, "gate unit failed: 1 of 2 tests failed: CalcTest.adds", null);

  @Test
  void aRetryThatPassesTheCommitWhoseTestsFailedIsFlaky() {
    assertThat(FlakyRuns.isFlaky(TESTS_FAILED, run(2, SHA, Result.PASSED, null, 1L))).isTrue();
    RunRecord timedOut = run(3, SHA, Result.FAILED, "compile timed out after 20m", null);
    assertThat(FlakyRuns.isFlaky(timedOut, run(4, SHA, Result.PASSED, null, 3L))).isTrue();
  }

  @Test
  void anotherCommitOrAnotherFailingRetryIsNoFlake() {
    String other = "9f1c2ab09f1c2ab09f1c2ab09f1c2ab09f1c2ab0";
    assertThat(FlakyRuns.isFlaky(TESTS_FAILED, run(2, other, Result.PASSED, null, 1L))).isFalse();
    assertThat(FlakyRuns.isFlaky(TESTS_FAILED, run(2, SHA, Result.FAILED, "boom", 1L))).isFalse();
    RunRecord passed = run(5, SHA, Result.PASSED, null, null);
    assertThat(FlakyRuns.isFlaky(passed, run(6, SHA, Result.PASSED, null, 5L))).isFalse();
  }

  @Test
  void aRetryPassingAfterAnInfrastructureFailureIsNoFlakeOfTheCode() {
    RunRecord lostHost =
        run(7, SHA, Result.FAILED, "build host lost 5 times; last: host-a: x", null);
    assertThat(FlakyRuns.isFlaky(lostHost, run(8, SHA, Result.PASSED, null, 7L))).isFalse();
    RunRecord neverFetched =
        run(9, null, Result.FAILED, "fetch of file:///srv/app failed: could not connect", null);
    assertThat(FlakyRuns.isFlaky(neverFetched, run(10, SHA, Result.PASSED, null, 9L))).isFalse();
  }
}
