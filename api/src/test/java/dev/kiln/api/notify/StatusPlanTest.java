package dev.kiln.api.notify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.notify.CommitStatus.State;
import dev.kiln.workflows.Result;
import dev.kiln.workflows.activities.GateStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusPlanTest {

  @Test
  void aStartingRunIsPendingForItsBuildAndEachPlannedGate() {
    assertThat(StatusPlan.started("x86_64", List.of("unit", "lint")))
        .containsExactly(
            new CommitStatus("kiln/build (x86_64)", State.PENDING, "building"),
            new CommitStatus("kiln/gate unit (x86_64)", State.PENDING, "waiting for the build"),
            new CommitStatus("kiln/gate lint (x86_64)", State.PENDING, "waiting for the build"));
  }

  @Test
  void aPassingRunSucceedsInEveryContext() {
    assertThat(
            StatusPlan.ended(
                ended(Result.PASSED, null, gate("unit", GateStatus.PASSED, "3 tests passed"))))
        .containsExactly(
            new CommitStatus("kiln/build (x86_64)", State.SUCCESS, "built"),
            new CommitStatus("kiln/gate unit (x86_64)", State.SUCCESS, "3 tests passed"));
  }

  @Test
  void aFailingGateFailsItsOwnContextAndBlocksTheGatesAfterIt() {
    List<CommitStatus> statuses =
        StatusPlan.ended(
            ended(
                Result.FAILED,
                "gate unit failed",
                gate("unit", GateStatus.FAILED, "1 of 2 tests failed: adds"),
                gate("e2e", GateStatus.BLOCKED, null)));

    assertThat(statuses)
        .containsExactly(
            new CommitStatus("kiln/build (x86_64)", State.SUCCESS, "built"),
            new CommitStatus("kiln/gate unit (x86_64)", State.FAILURE, "1 of 2 tests failed: adds"),
            new CommitStatus(
                "kiln/gate e2e (x86_64)",
                State.ERROR,
                "not run: a required gate before it failed"));
  }

  @Test
  void aFailedBuildFailsTheBuildContextAndLeavesItsGatesNotRun() {
    assertThat(
            StatusPlan.ended(
                ended(
                    Result.FAILED,
                    "compile failed: main.c:3: error: expected ';'",
                    gate("unit", GateStatus.SKIPPED, null))))
        .containsExactly(
            new CommitStatus(
                "kiln/build (x86_64)",
                State.FAILURE,
                "compile failed: main.c:3: error: expected ';'"),
            new CommitStatus("kiln/gate unit (x86_64)", State.ERROR, "not run: the build failed"));
  }

  @Test
  void aSupersededRunIsAnErrorNamingTheRunThatReplacedIt() {
    StatusPlan.Ended superseded =
        new StatusPlan.Ended(
            "aarch64",
            Result.ABORTED,
            "superseded by run 9",
            9L,
            null,
            List.of(gate("unit", GateStatus.SKIPPED, null)));

    assertThat(StatusPlan.ended(superseded))
        .containsExactly(
            new CommitStatus("kiln/build (aarch64)", State.ERROR, "superseded by run 9"),
            new CommitStatus("kiln/gate unit (aarch64)", State.ERROR, "superseded by run 9"));
  }

  @Test
  void aCancelledRunSaysWhoCancelledItWhereTheCodeDecidedNothing() {
    StatusPlan.Ended cancelled =
        new StatusPlan.Ended(
            "x86_64",
            Result.CANCELLED,
            "cancelled",
            null,
            "alice",
            List.of(gate("unit", GateStatus.PASSED, null), gate("e2e", GateStatus.SKIPPED, null)));

    assertThat(StatusPlan.ended(cancelled))
        .containsExactly(
            new CommitStatus("kiln/build (x86_64)", State.SUCCESS, "built"),
            new CommitStatus("kiln/gate unit (x86_64)", State.SUCCESS, "passed"),
            new CommitStatus("kiln/gate e2e (x86_64)", State.ERROR, "cancelled by alice"));
  }

  @Test
  void aLongDescriptionIsCutToWhatGitHubTakes() {
    CommitStatus status = new CommitStatus("kiln/build (x86_64)", State.FAILURE, "x".repeat(500));

    assertThat(status.description()).hasSize(140).endsWith("…");
  }

  private static StatusPlan.Ended ended(Result result, String summary, StatusPlan.Gate... gates) {
    return new StatusPlan.Ended("x86_64", result, summary, null, null, List.of(gates));
  }

  private static StatusPlan.Gate gate(String name, GateStatus status, String summary) {
    return new StatusPlan.Gate(name, status, summary);
  }
}
