package dev.kiln.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.activities.QuietStart;
import org.junit.jupiter.api.Test;

class HeartbeatSettingsTest {

  /**
   * With a quiet start no longer than the throttle, the longest stretch without a heartbeat,
   * counted from an activity's start, is the throttle's; a longer one would shorten the time a
   * restarting Temporal server has to come back before the heartbeat timeout.
   */
  @Test
  void anActivitysQuietStartIsNoLongerThanTheHostQueuesHeartbeatThrottle() {
    assertThat(QuietStart.LENGTH).isLessThanOrEqualTo(WorkerRegistrar.HOST_HEARTBEAT_THROTTLE);
    assertThat(QuietStart.LENGTH).isLessThanOrEqualTo(WorkerRegistrar.FETCH_HEARTBEAT_THROTTLE);
  }
}
