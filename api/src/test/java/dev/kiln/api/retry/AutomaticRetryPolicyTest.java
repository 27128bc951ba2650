package dev.kiln.api.retry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.runs.RunRecord;
import dev.kiln.workflows.Phase;
import dev.kiln.workflows.Result;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AutomaticRetryPolicyTest {

  static RunRecord ended(String repo, Result result, String failureSummary) {
    return new RunRecord(
        7,
        repo,
        "main",
        "main",
        "6113728f27ae82c7b1a177c8d03f9e96e0adf246",
        "x86_64",
        repo + "#main@x86_64",
        null,
        "normal",
        true,
        null,
        Phase.DONE,
        result,
        failureSummary,
        null,
        null,
        "kiln-run-7",
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
        "loopback");
  }

  static RunRecord failed(String failureSummary) {
    return ended("https://git.example.com/app.git", Result.FAILED, failureSummary);
  }

  @Test
  void aLostHostAnUnreachableRepositoryOrApiAndAnActivityTimeoutAreRetried() {
    for (String summary :
        List.of(
            "build host lost 5 times; last: host-a: timed out (HEARTBEAT)",
            "fetch of https://git.example.com/app.git failed: could not connect",
            "could not clone https://git.example.com/app.git: missing object",
            "the api is unreachable: connection refused",
            "timed out (START_TO_CLOSE)")) {
      assertThat(AutomaticRetryPolicy.retries(failed(summary))).as(summary).isTrue();
    }
  }

  @Test
  void buildTestTimeoutAndOutOfMemoryFailuresAreTheCodesAndNeverRetried() {
    for (String summary :
        List.of(
            "src/main.c:3:1: error: expected ';' before '}' token",
            "gate unit failed: 1 of 3 tests failed: CalcTest.adds",
            "compile timed out after 20m",
            "compile killed: memory limit 4 GiB exceeded",
            "no git repository at file:///srv/app",
            "ref not found: feature/nope")) {
      assertThat(AutomaticRetryPolicy.retries(failed(summary))).as(summary).isFalse();
    }
  }

  @Test
  void aRunNoWorkerTookOrOneTerminatedOnPurposeIsNotRetried() {
    assertThat(AutomaticRetryPolicy.retries(failed("no worker for arch riscv64 within 5m")))
        .isFalse();
    assertThat(AutomaticRetryPolicy.retries(failed("no worker for x86_64 with labels [gpu]")))
        .isFalse();
    assertThat(AutomaticRetryPolicy.retries(failed("the run's workflow was terminated"))).isFalse();
  }

  @Test
  void onlyFailedRunsOfGitRepositoriesAreRetried() {
    String lost = "build host lost 5 times; last: host-a: timed out (HEARTBEAT)";
    assertThat(
            AutomaticRetryPolicy.retries(
                ended("https://git.example.com/app.git", Result.CANCELLED, lost)))
        .isFalse();
    assertThat(AutomaticRetryPolicy.retries(ended("local:app", Result.FAILED, lost))).isFalse();
  }

  @Test
  void aChainOfAutomaticRetriesStopsAtTheConfiguredAttempts() {
    assertThat(AutomaticRetryPolicy.withinAttempts(0, 1)).isTrue();
    assertThat(AutomaticRetryPolicy.withinAttempts(1, 1)).isFalse();
    assertThat(AutomaticRetryPolicy.withinAttempts(1, 2)).isTrue();
    assertThat(AutomaticRetryPolicy.withinAttempts(0, 0)).isFalse();
  }
}
