package dev.kiln.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {

  @Test
  void writesTheLargestUnitsFirstAndLeavesOutZeroUnits() {
    assertThat(Durations.format(Duration.ofMinutes(5))).isEqualTo("5m");
    assertThat(Durations.format(Duration.ofSeconds(20))).isEqualTo("20s");
    assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("1m30s");
    assertThat(Durations.format(Duration.ofMinutes(90))).isEqualTo("1h30m");
    assertThat(Durations.format(Duration.ofHours(2).plusSeconds(5))).isEqualTo("2h5s");
    assertThat(Durations.format(Duration.ofDays(1).plusHours(1))).isEqualTo("25h");
  }

  @Test
  void dropsFractionsOfASecondAndSaysZeroForZero() {
    assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1s");
    assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
  }

  @Test
  void refusesNegativeDurations() {
    assertThatThrownBy(() -> Durations.format(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void readsWhatItWritesAndTheHoursMinutesSecondsPeopleWrite() {
    for (Duration d :
        new Duration[] {
          Duration.ofSeconds(90),
          Duration.ofMinutes(20),
          Duration.ofHours(1).plusMinutes(30),
          Duration.ofSeconds(7215)
        }) {
      assertThat(Durations.parse(Durations.format(d))).contains(d);
    }
    assertThat(Durations.parse("2h0m15s")).contains(Duration.ofSeconds(7215));
    assertThat(Durations.parse("20 minutes")).isEmpty();
    assertThat(Durations.parse("")).isEmpty();
    assertThat(Durations.parse("500ms")).isEmpty();
  }
}
