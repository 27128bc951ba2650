package dev.kiln.api.notify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.workflows.Result;
import org.junit.jupiter.api.Test;

class LaneChangeTest {

  @Test
  void aFailureAfterAPassBreaksTheLane() {
    assertThat(LaneChange.of(Result.PASSED, Result.FAILED)).isEqualTo(LaneChange.BROKE);
    assertThat(LaneChange.BROKE.wireName()).isEqualTo("broke");
  }

  @Test
  void aLaneWhoseFirstVerdictIsAFailureIsBroken() {
    assertThat(LaneChange.of(null, Result.FAILED)).isEqualTo(LaneChange.BROKE);
  }

  @Test
  void aPassAfterAFailureFixesTheLane() {
    assertThat(LaneChange.of(Result.FAILED, Result.PASSED)).isEqualTo(LaneChange.FIXED);
    assertThat(LaneChange.FIXED.wireName()).isEqualTo("fixed");
  }

  @Test
  void anotherPassAnotherFailureOrARunWithoutVerdictChangesNothing() {
    assertThat(LaneChange.of(Result.PASSED, Result.PASSED)).isEqualTo(LaneChange.NONE);
    assertThat(LaneChange.of(null, Result.PASSED)).isEqualTo(LaneChange.NONE);
    assertThat(LaneChange.of(Result.FAILED, Result.FAILED)).isEqualTo(LaneChange.NONE);
    assertThat(LaneChange.of(Result.PASSED, Result.CANCELLED)).isEqualTo(LaneChange.NONE);
    assertThat(LaneChange.of(Result.FAILED, Result.ABORTED)).isEqualTo(LaneChange.NONE);
    assertThat(LaneChange.NONE.wireName()).isNull();
  }
}
