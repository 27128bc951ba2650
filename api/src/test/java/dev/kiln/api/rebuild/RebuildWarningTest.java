package dev.kiln.api.rebuild;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RebuildWarningTest {

  @Test
  void noPollersOnTheArchitecturesQueueIsAWarningNamingQueueAndTimeout() {
    assertThat(RebuildService.warning("riscv64", Optional.of(false), Duration.ofMinutes(5)))
        .isEqualTo(
            "no worker polls kiln-build-riscv64 right now; the run fails if none comes within 5m");
    assertThat(RebuildService.warning("aarch64", Optional.of(false), Duration.ofSeconds(90)))
        .endsWith("within 1m30s");
  }

  @Test
  void withoutATimeoutTheWarningSaysTheRunWaits() {
    assertThat(RebuildService.warning("riscv64", Optional.of(false), Duration.ZERO))
        .isEqualTo("no worker polls kiln-build-riscv64 right now; the run waits until one comes");
  }

  @Test
  void pollersOrNoAnswerFromTemporalIsNoWarning() {
    assertThat(RebuildService.warning("x86_64", Optional.of(true), Duration.ofMinutes(5))).isNull();
    assertThat(RebuildService.warning("x86_64", Optional.empty(), Duration.ofMinutes(5))).isNull();
  }
}
