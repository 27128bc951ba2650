package dev.kiln.workflows.rebuild;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.api.enums.v1.RetryState;
import io.temporal.api.enums.v1.TimeoutType;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TimeoutFailure;
import org.junit.jupiter.api.Test;

class FailuresTest {

  private static ActivityFailure activityFailure(Throwable cause) {
    return new ActivityFailure(
        "Activity task failed",
        1,
        2,
        "Fetch",
        "1",
        RetryState.RETRY_STATE_NON_RETRYABLE_FAILURE,
        "test",
        cause);
  }

  private static TimeoutFailure timeout(TimeoutType type) {
    return new TimeoutFailure("timed out", null, type);
  }

  @Test
  void aScheduleToStartTimeoutAnywhereInTheCauseChainMeansNoWorker() {
    assertThat(
            Failures.isScheduleToStartTimeout(
                activityFailure(timeout(TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START))))
        .isTrue();
    RuntimeException wrapped =
        new RuntimeException("wrapped", timeout(TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START));
    assertThat(Failures.isScheduleToStartTimeout(activityFailure(wrapped))).isTrue();
  }

  @Test
  void otherTimeoutsAndFailuresDoNot() {
    assertThat(
            Failures.isScheduleToStartTimeout(
                activityFailure(timeout(TimeoutType.TIMEOUT_TYPE_HEARTBEAT))))
        .isFalse();
    assertThat(
            Failures.isScheduleToStartTimeout(
                activityFailure(ApplicationFailure.newFailure("boom", "SomeType"))))
        .isFalse();
  }
}
