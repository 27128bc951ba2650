package dev.kiln.activities.capacity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LoadLimitsTest {

  private final LoadLimits limits = new LoadLimits(0.85, 0.85);

  @Test
  void admitsABuildBelowBothLimits() {
    assertThat(limits.admits(new Load(0.84, 0.5))).isTrue();
    assertThat(limits.pauseReason(new Load(0.84, 0.5))).isNull();
  }

  @Test
  void pausesAtTheCpuLimitAndSaysSo() {
    assertThat(limits.admits(new Load(0.85, 0.1))).isFalse();
    assertThat(limits.pauseReason(new Load(0.912, 0.1))).isEqualTo("CPU at 91% (limit 85%)");
  }

  @Test
  void pausesAtTheMemoryLimitAndSaysSo() {
    assertThat(limits.admits(new Load(0.1, 0.9))).isFalse();
    assertThat(limits.pauseReason(new Load(0.1, 0.9))).isEqualTo("memory at 90% (limit 85%)");
  }

  @Test
  void aLimitOfOneNeverPauses() {
    assertThat(new LoadLimits(1, 1).admits(new Load(1.0, 1.0))).isTrue();
  }

  @Test
  void rejectsALimitThatIsNotAFraction() {
    assertThatThrownBy(() -> new LoadLimits(85, 0.85))
        .hasMessage("kiln.worker.max-cpu must be a fraction in (0, 1], got 85.0");
    assertThatThrownBy(() -> new LoadLimits(0.85, 0))
        .hasMessage("kiln.worker.max-memory must be a fraction in (0, 1], got 0.0");
  }
}
