package dev.kiln.workflows.failure;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FailureKindsTest {

  @Test
  void aCompilersOwnWordsAreABuildFailure() {
    assertThat(FailureKinds.classify("src/main.c:3:1: error: expected ';' before '}' token"))
        .isEqualTo(FailureKind.BUILD);
    assertThat(FailureKinds.classify("kiln.yaml: compile: must be a list"))
        .isEqualTo(FailureKind.BUILD);
  }

  @Test
  void aFailedGateIsATestFailureUnlessALimitOrItsClockStoppedIt() {
    assertThat(FailureKinds.classify("gate unit failed: 2 of 10 tests failed: FooTest.bar"))
        .isEqualTo(FailureKind.TEST);
    assertThat(FailureKinds.classify("gate unit failed: timed out after 10m"))
        .isEqualTo(FailureKind.TIMEOUT);
    assertThat(FailureKinds.classify("gate unit failed: killed: memory limit 1 GiB exceeded"))
        .isEqualTo(FailureKind.OOM);
  }

  @Test
  void aCompileStoppedByItsTimeoutOrItsMemoryLimitSaysSo() {
    assertThat(FailureKinds.classify("compile timed out after 20m")).isEqualTo(FailureKind.TIMEOUT);
    assertThat(FailureKinds.classify("compile killed: memory limit 4 GiB exceeded"))
        .isEqualTo(FailureKind.OOM);
  }

  @Test
  void whatIsNotTheCodesFaultIsInfrastructure() {
    for (String summary :
        new String[] {
          "git fetch failed: connection refused",
          "fetch of https://git.example.com/app.git failed: could not connect",
          "fetch of file:///srv/app failed: the server's answer is not one of a git repository",
          "could not clone https://git.example.com/app.git: missing object",
          "the api is unreachable: connection refused",
          "the api could not send the upload: HTTP 503",
          "no worker for x86_64 with labels [gpu]",
          "no worker for arch aarch64 within 5m",
          "build host lost 3 times; last: host-a: heartbeat timeout",
          "stage failed: disk full",
          "could not start: Temporal at localhost:7233 refused or is unreachable",
          "the run's workflow was terminated",
          "timed out (START_TO_CLOSE)"
        }) {
      assertThat(FailureKinds.classify(summary)).as(summary).isEqualTo(FailureKind.INFRASTRUCTURE);
    }
  }

  @Test
  void aRepositoryThatIsNoneOrARefThatIsMissingIsTheBuildsFault() {
    assertThat(FailureKinds.classify("no git repository at file:///srv/app"))
        .isEqualTo(FailureKind.BUILD);
    assertThat(FailureKinds.classify("ref not found: feature/nope")).isEqualTo(FailureKind.BUILD);
  }

  @Test
  void aGateNameWithSpacesIsNoGateSummary() {
    assertThat(FailureKinds.classify("gate of doom failed: because")).isEqualTo(FailureKind.BUILD);
  }

  @Test
  void theFailedGateIsReadFromTheRunSummaryAndNothingElseNamesOne() {
    assertThat(FailureKinds.failedGate("gate unit failed: 1 of 3 tests failed: AppTest.adds"))
        .contains("unit");
    assertThat(FailureKinds.failedGate("error: cannot find symbol")).isEmpty();
    assertThat(FailureKinds.failedGate("gate my gate failed: x")).isEmpty();
    assertThat(FailureKinds.failedGate(null)).isEmpty();
  }
}
