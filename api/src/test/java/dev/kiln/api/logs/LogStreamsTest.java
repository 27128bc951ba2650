package dev.kiln.api.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LogStreamsTest {

  @Test
  void aFollowLeaseLastsTwoHeartbeatsAndAtLeastThirtySeconds() {
    assertThat(LogStreams.followLease(Duration.ofSeconds(15))).isEqualTo(Duration.ofSeconds(30));
    assertThat(LogStreams.followLease(Duration.ofMinutes(1))).isEqualTo(Duration.ofMinutes(2));
    assertThat(LogStreams.followLease(Duration.ofMillis(300))).isEqualTo(Duration.ofSeconds(30));
  }
}
