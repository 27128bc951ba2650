package dev.kiln.api.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class WaitingReasonsTest {

  @Test
  void aRunWithPollingWorkersWaitsForASlotBehindTheBuildsAhead() {
    assertThat(WaitingReasons.reason("x86_64", Optional.of(1), 1, 2))
        .isEqualTo("waiting for a free slot on x86_64: 2 builds ahead");
  }

  @Test
  void oneBuildAheadIsSingular() {
    assertThat(WaitingReasons.reason("x86_64", Optional.of(3), 3, 1))
        .isEqualTo("waiting for a free slot on x86_64: 1 build ahead");
  }

  @Test
  void aRunNobodyPollsForNamesTheQueue() {
    assertThat(WaitingReasons.reason("aarch64", Optional.of(0), 0, 4))
        .isEqualTo("no worker polls kiln-build-aarch64");
  }

  @Test
  void whenTemporalCannotSayTheRunIsAssumedToWaitForASlot() {
    assertThat(WaitingReasons.reason("x86_64", Optional.empty(), 0, 0))
        .isEqualTo("waiting for a free slot on x86_64: 0 builds ahead");
  }

  @Test
  void aRunWhoseWorkersAreAllBusyWaitsForASlotThoughNobodyPolls() {
    assertThat(WaitingReasons.reason("x86_64", Optional.of(0), 1, 3))
        .isEqualTo("waiting for a free slot on x86_64: 3 builds ahead");
  }

  @Test
  void anArchIsServedByAPollingWorkerOrAReportingHostAndAssumedServedWhenTemporalCannotSay() {
    assertThat(WaitingReasons.served(Optional.of(1), 0)).isTrue();
    assertThat(WaitingReasons.served(Optional.of(0), 1)).isTrue();
    assertThat(WaitingReasons.served(Optional.empty(), 0)).isTrue();
    assertThat(WaitingReasons.served(Optional.of(0), 0)).isFalse();
  }
}
