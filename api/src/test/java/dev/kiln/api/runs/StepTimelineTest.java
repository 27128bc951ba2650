package dev.kiln.api.runs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.workflows.LogSequences;
import dev.kiln.workflows.Result;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class StepTimelineTest {

  private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");

  private static long seq(int stepIndex, int n) {
    return LogSequences.stepBase(stepIndex) + n;
  }

  private static StepTimeline.Chunks chunks(long firstSeq, String step, int from, int to) {
    return new StepTimeline.Chunks(firstSeq, step, T0.plusSeconds(from), T0.plusSeconds(to));
  }

  private static final List<StepTimeline.Chunks> FOUR_STEPS =
      List.of(
          chunks(seq(0, 0), "kiln", 0, 0),
          chunks(seq(0, 1), "fetch", 0, 2),
          chunks(seq(1, 0), "kiln", 2, 30),
          chunks(seq(1, 1), "compile", 3, 29),
          chunks(seq(2, 0), "kiln", 30, 31),
          chunks(seq(3, 0), "kiln", 31, 40),
          chunks(seq(3, 2), "gate:unit", 32, 39));

  private static final List<StepTimeline.KilnText> KILN_LINES =
      List.of(
          new StepTimeline.KilnText(seq(0, 0), "fetch on host-a (attempt 1)\n"),
          new StepTimeline.KilnText(
              seq(1, 0), "compile on host-a (kiln.yaml)\nsandbox: none\n$ make -j4\n"),
          new StepTimeline.KilnText(
              seq(1, 5), "used: peak memory 3 MiB, CPU 0.1 s\n$ for i in 1 2\ndo echo $i\ndone\n"),
          new StepTimeline.KilnText(seq(2, 0), "staged app.jar (12 bytes, sha256 ab)\n"),
          new StepTimeline.KilnText(seq(3, 0), "gate unit\n$ ./test.sh\n"),
          new StepTimeline.KilnText(seq(3, 3), "gate unit failed: 1 of 2 tests failed\n"));

  @Test
  void namesEachStepByItsOutputOrItsFirstKilnLineWithTimesAndCommands() {
    List<RunView.Step> steps =
        StepTimeline.of(
            FOUR_STEPS,
            KILN_LINES,
            List.of(
                new StepTimeline.GateTimes(
                    "unit", "failed", T0.plusSeconds(31), T0.plusSeconds(41)),
                new StepTimeline.GateTimes("lint", "blocked", null, null)),
            new StepTimeline.RunState(Result.FAILED));

    assertThat(steps)
        .extracting(RunView.Step::step)
        .containsExactly("fetch", "compile", "stage", "gate:unit", "gate:lint");
    assertThat(steps)
        .extracting(RunView.Step::status)
        .containsExactly("passed", "passed", "passed", "failed", "blocked");
    RunView.Step compile = steps.get(1);
    assertThat(compile.startedAt()).isEqualTo(T0.plusSeconds(2));
    assertThat(compile.finishedAt()).isEqualTo(T0.plusSeconds(30));
    assertThat(compile.durationMs()).isEqualTo(28_000);
    assertThat(compile.commands()).containsExactly("make -j4", "for i in 1 2\ndo echo $i\ndone");
    RunView.Step unit = steps.get(3);
    assertThat(unit.startedAt()).as("the ledger's times").isEqualTo(T0.plusSeconds(31));
    assertThat(unit.durationMs()).isEqualTo(10_000);
    assertThat(unit.commands()).containsExactly("./test.sh");
    assertThat(steps.get(4).startedAt()).isNull();
  }

  @Test
  void theLastStepOfARunStillBuildingRunsAndOfAFailedOneFailed() {
    List<StepTimeline.Chunks> twoSteps = FOUR_STEPS.subList(0, 4);

    List<RunView.Step> building =
        StepTimeline.of(
            twoSteps, KILN_LINES, List.of(), new StepTimeline.RunState(Result.BUILDING));
    assertThat(building).extracting(RunView.Step::status).containsExactly("passed", "running");
    assertThat(building.get(1).finishedAt()).isNull();

    List<RunView.Step> failed =
        StepTimeline.of(twoSteps, KILN_LINES, List.of(), new StepTimeline.RunState(Result.FAILED));
    assertThat(failed).extracting(RunView.Step::status).containsExactly("passed", "failed");
    assertThat(failed.get(1).finishedAt()).isEqualTo(T0.plusSeconds(30));
  }

  @Test
  void aStepCutShortByALostHostIsInterruptedAndTheRestartIsNoStep() {
    List<RunView.Step> steps =
        StepTimeline.of(
            List.of(
                chunks(seq(0, 0), "fetch", 0, 1),
                chunks(seq(1, 0), "compile", 1, 10),
                chunks(seq(2, 0), "kiln", 20, 20),
                chunks(seq(3, 0), "fetch", 21, 22),
                chunks(seq(4, 0), "compile", 22, 30)),
            List.of(
                new StepTimeline.KilnText(
                    seq(2, 0), "restarted on host-b: previous host lost (host-a)\n")),
            List.of(),
            new StepTimeline.RunState(Result.PASSED));

    assertThat(steps)
        .extracting(s -> s.step() + " " + s.status())
        .containsExactly("fetch passed", "compile interrupted", "fetch passed", "compile passed");
  }
}
