package dev.kiln.activities.process.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.workflows.plan.SandboxRequest;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ResourceLimitsTest {

  private static final ResourceLimits WORKER =
      new ResourceLimits(8L << 30, 4, 4096, 50L << 30, Duration.ofHours(24));

  @Test
  void aPlanMayAskForLessThanTheWorkersMaximumsButNeverForMore() {
    SandboxRequest request = new SandboxRequest(4L << 30, 8.0, 100_000, 10L << 30, false);

    assertThat(WORKER.cappedBy(request))
        .isEqualTo(new ResourceLimits(4L << 30, 4, 4096, 10L << 30, Duration.ofHours(24)));
  }

  @Test
  void whatAPlanDoesNotAskForIsTheWorkers() {
    assertThat(WORKER.cappedBy(null)).isEqualTo(WORKER);
    assertThat(WORKER.cappedBy(SandboxRequest.DEFAULT)).isEqualTo(WORKER);
  }

  @Test
  void jobsAreWholeCoresWithinTheHosts() {
    assertThat(WORKER.cappedBy(new SandboxRequest(null, 1.5, null, null, null)).jobs(8))
        .isEqualTo(2);
    assertThat(WORKER.cappedBy(new SandboxRequest(null, 0.25, null, null, null)).jobs(8))
        .isEqualTo(1);
    assertThat(WORKER.jobs(2)).isEqualTo(2);
  }

  @Test
  void describesThemForTheBuildLog() {
    assertThat(WORKER.cappedBy(new SandboxRequest(null, 1.5, null, null, null)).describe())
        .isEqualTo("memory 8 GiB, 1.5 CPUs, 4096 processes, disk 50 GiB");
  }

  @Test
  void limitsThatCannotWorkAreRefused() {
    assertThatThrownBy(() -> new ResourceLimits(1024, 1, 10, 1L << 30, Duration.ofMinutes(1)))
        .hasMessageContaining("memory limit below 1 MiB");
    assertThatThrownBy(() -> new ResourceLimits(1L << 30, 0, 10, 1L << 30, Duration.ofMinutes(1)))
        .hasMessageContaining("cpus must be positive");
    assertThatThrownBy(() -> new ResourceLimits(1L << 30, 1, 1, 1L << 30, Duration.ofMinutes(1)))
        .hasMessageContaining("at least 2 processes");
  }
}
