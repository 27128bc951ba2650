package dev.kiln.dev;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RestartBackoffTest {

  private final RestartBackoff backoff =
      new RestartBackoff(
          new RestartBackoff.Policy(
              Duration.ofMillis(250), Duration.ofSeconds(1), 5, Duration.ofSeconds(60)));

  @Test
  void quickFailuresInARowWaitTwiceAsLongEachTimeUpToTheCap() {
    assertThat(backoff.afterFailure(Duration.ofSeconds(1))).contains(Duration.ofMillis(250));
    assertThat(backoff.afterFailure(Duration.ZERO)).contains(Duration.ofMillis(500));
    assertThat(backoff.afterFailure(Duration.ZERO)).contains(Duration.ofSeconds(1));
    assertThat(backoff.afterFailure(Duration.ZERO)).contains(Duration.ofSeconds(1));
  }

  @Test
  void givesUpAtTheFailureAfterTheLastRestartAllowedInARow() {
    for (int i = 0; i < 5; i++) {
      assertThat(backoff.afterFailure(Duration.ofSeconds(2))).isPresent();
    }

    assertThat(backoff.afterFailure(Duration.ofSeconds(2))).isEqualTo(Optional.empty());
  }

  @Test
  void aChildThatStayedUpLongEnoughStartsTheCountAfresh() {
    for (int i = 0; i < 5; i++) {
      backoff.afterFailure(Duration.ZERO);
    }

    assertThat(backoff.afterFailure(Duration.ofMinutes(5))).contains(Duration.ofMillis(250));
    assertThat(backoff.failuresInARow()).isEqualTo(1);
  }

  @Test
  void theDevStacksPolicyRestartsWithinASecondAndTriesFiveTimes() {
    RestartBackoff devStack = new RestartBackoff(RestartBackoff.DEV_STACK);

    assertThat(devStack.afterFailure(Duration.ofHours(1)).orElseThrow())
        .isLessThan(Duration.ofSeconds(1));
    for (int i = 0; i < 4; i++) {
      assertThat(devStack.afterFailure(Duration.ZERO)).isPresent();
    }
    assertThat(devStack.afterFailure(Duration.ZERO)).isEmpty();
  }
}
