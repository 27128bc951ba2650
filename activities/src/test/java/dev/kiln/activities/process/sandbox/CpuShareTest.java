package dev.kiln.activities.process.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CpuShareTest {

  @Test
  void aStepOfNCpusWeighsAsMuchAsNProcesses() {
    assertThat(CpuShare.shares(2)).isEqualTo(2048);
    assertThat(CpuShare.shares(0.5)).isEqualTo(512);
    assertThat(CpuShare.weight(2)).isEqualTo(200);
    assertThat(CpuShare.weight(0.001)).isEqualTo(1);
    assertThat(CpuShare.weight(1000)).isEqualTo(10_000);
  }

  @Test
  void aQuotaOnlyWhenItIsLessThanTheMachine() {
    assertThat(CpuShare.quotaMicros(1.5, 8)).isEqualTo(150_000);
    assertThat(CpuShare.quotaMicros(8, 8)).isEqualTo(-1);
    assertThat(CpuShare.quotaMicros(16, 8)).isEqualTo(-1);
    assertThat(CpuShare.quotaMicros(0.001, 8)).isEqualTo(1000);
  }
}
