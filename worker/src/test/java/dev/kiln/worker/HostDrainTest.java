package dev.kiln.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.worker.HostDrain.Source;
import dev.kiln.worker.HostDrain.Step;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class HostDrainTest {

  static final Instant T0 = Instant.parse("2026-12-02T16:00:00Z");

  final HostDrain drain = new HostDrain(Duration.ofMinutes(10));

  @Test
  void aHostThatIsNotDrainingCarriesOnWhateverItRuns() {
    assertThat(drain.draining()).isFalse();
    assertThat(drain.step(0, T0)).isEqualTo(Step.CARRY_ON);
    assertThat(drain.step(3, T0)).isEqualTo(Step.CARRY_ON);
  }

  @Test
  void aDrainingHostWaitsForItsBuildsAndIsDrainedWhenNoneIsLeft() {
    assertThat(drain.start(Source.API, T0)).isTrue();
    assertThat(drain.step(1, T0.plusSeconds(30))).isEqualTo(Step.CARRY_ON);
    assertThat(drain.step(0, T0.plusSeconds(31))).isEqualTo(Step.DRAINED);
  }

  @Test
  void pastTheTimeoutItsRunningBuildsAreStopped() {
    drain.start(Source.SIGNAL, T0);
    assertThat(drain.step(1, T0.plus(Duration.ofMinutes(10)).minusMillis(1)))
        .isEqualTo(Step.CARRY_ON);
    assertThat(drain.step(1, T0.plus(Duration.ofMinutes(10)))).isEqualTo(Step.DEADLINE_PASSED);
  }

  @Test
  void anOperatorsDrainCanBeWithdrawnAndTheDeadlineGoesWithIt() {
    drain.start(Source.API, T0);
    assertThat(drain.withdraw()).isTrue();
    assertThat(drain.draining()).isFalse();
    assertThat(drain.step(1, T0.plus(Duration.ofHours(1)))).isEqualTo(Step.CARRY_ON);
  }

  @Test
  void aSigtermCannotBeWithdrawnNotEvenWhenTheApiAskedFirst() {
    drain.start(Source.API, T0);
    assertThat(drain.start(Source.SIGNAL, T0.plusSeconds(5))).isFalse();
    assertThat(drain.withdraw()).isFalse();
    assertThat(drain.draining()).isTrue();
    assertThat(drain.deadline()).as("the first deadline stands").isEqualTo(T0.plusSeconds(600));
  }

  @Test
  void askingAgainDoesNotMoveTheDeadline() {
    drain.start(Source.API, T0);
    assertThat(drain.start(Source.API, T0.plusSeconds(60))).isFalse();
    assertThat(drain.deadline()).isEqualTo(T0.plusSeconds(600));
  }
}
