package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.workflows.Result;
import org.junit.jupiter.api.Test;

class ExitCodesTest {

  @Test
  void passedIsZeroFailedOneCancelledAndAbortedTwo() {
    assertThat(ExitCodes.of(Result.PASSED)).isZero();
    assertThat(ExitCodes.of(Result.FAILED)).isEqualTo(1);
    assertThat(ExitCodes.of(Result.CANCELLED)).isEqualTo(2);
    assertThat(ExitCodes.of(Result.ABORTED)).isEqualTo(2);
  }

  @Test
  void aRunStillBuildingHasNoExitCode() {
    assertThatThrownBy(() -> ExitCodes.of(Result.BUILDING))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
