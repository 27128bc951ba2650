package dev.kiln.activities.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ProcessExitTest {

  @Test
  void exitZeroWhileBeingKilledIsNotSuccess() {
    assertThat(new ProcessExit(0, false, null, 0).succeeded()).isTrue();
    assertThat(new ProcessExit(0, false, CancelReason.WORKFLOW_CANCELLED, 0).succeeded()).isFalse();
  }

  @Test
  void describeReadsWellInABuildLog() {
    assertThat(new ProcessExit(2, false, null, 10).describe()).isEqualTo("exit code 2");
    assertThat(new ProcessExit(137, true, CancelReason.TIMEOUT, 10).describe())
        .isEqualTo("killed: exceeded its timeout (exit code 137)");
    assertThat(
            new ProcessExit(ProcessExit.NOT_STARTED, false, CancelReason.WORKER_SHUTDOWN, 0)
                .describe())
        .isEqualTo("not started: the worker is shutting down");
  }

  @Test
  void timedOutAndTheTimeoutReasonGoTogether() {
    assertThatThrownBy(() -> new ProcessExit(143, true, null, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ProcessExit(143, false, CancelReason.TIMEOUT, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void everyCancelReasonHasAHumanDescription() {
    assertThat(Arrays.stream(CancelReason.values()).map(CancelReason::toString))
        .doesNotHaveDuplicates()
        .allMatch(text -> text.contains(" ") && text.equals(text.toLowerCase()));
  }
}
