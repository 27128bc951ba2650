package dev.kiln.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.activities.QuietStart;
import org.junit.jupiter.api.Test;

class HeartbeatSettingsTest {

  /**
   * Without a heartbeat at an activity's start, the server's heartbeat deadline is the one a
   * heartbeat at the start would have set until the throttle would have let the second one go; a
   * longer quiet start would shorten the time a restarting Temporal server has to come back.
   */
  @Test
  void anActivitysQuietStartIsNoLongerThanTheHostQueuesHeartbeatThrottle() {
    assertThat(QuietStart.LENGTH).isLessThanOrEqualTo(WorkerRegistrar.HOST_HEARTBEAT_THROTTLE);
    assertThat(QuietStart.LENGTH).isLessThanOrEqualTo(WorkerRegistrar.FETCH_HEARTBEAT_THROTTLE);
  }
}
