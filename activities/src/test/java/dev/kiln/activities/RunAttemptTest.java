package dev.kiln.activities;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.api.enums.v1.TimeoutType;
import io.temporal.client.ActivityCanceledException;
import io.temporal.client.ActivityNotExistsException;
import io.temporal.failure.TimeoutFailure;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RunAttemptTest {

  final RunAttempt attempt = new RunAttempt(7, 1);
  final AtomicInteger kills = new AtomicInteger();

  @Test
  void anActivityTemporalNoLongerKnowsSupersedesTheAttemptAndKillsItsCommandsOnce() {
    attempt.onSuperseded(kills::incrementAndGet);

    boolean superseded =
        attempt.supersedeIfStale(new ActivityNotExistsException(new RuntimeException("NOT_FOUND")));
    attempt.supersede("and the api refused a write too");

    assertThat(superseded).isTrue();
    assertThat(kills).hasValue(1);
    assertThat(attempt.supersededBecause().orElseThrow()).contains("no longer knows");
  }

  @Test
  void aHeartbeatThatTimedOutOnTheHostSupersedesTheAttempt() {
    attempt.onSuperseded(kills::incrementAndGet);

    attempt.supersedeIfStale(
        new ActivityCanceledException(
            null,
            new TimeoutFailure("heartbeat timeout", null, TimeoutType.TIMEOUT_TYPE_HEARTBEAT)));

    assertThat(attempt.isSuperseded()).isTrue();
    assertThat(kills).hasValue(1);
  }

  @Test
  void aCancelIsNotASupersededAttempt() {
    attempt.onSuperseded(kills::incrementAndGet);

    boolean superseded = attempt.supersedeIfStale(new ActivityCanceledException());

    assertThat(superseded).isFalse();
    assertThat(attempt.isSuperseded()).isFalse();
    assertThat(kills).hasValue(0);
  }

  @Test
  void anActionRegisteredOnceTheAttemptIsSupersededRunsAtOnce() {
    attempt.supersede("409 stale attempt");

    attempt.onSuperseded(kills::incrementAndGet);

    assertThat(kills).hasValue(1);
  }

  @Test
  void aClosedRegistrationIsNotRun() {
    attempt.onSuperseded(kills::incrementAndGet).close();

    attempt.supersede("409 stale attempt");

    assertThat(kills).hasValue(0);
  }
}
