package dev.kiln.workflows.rebuild;

import dev.kiln.workflows.FailureTypes;
import io.temporal.api.enums.v1.TimeoutType;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.failure.TimeoutFailure;
import java.util.Arrays;

/** Reads what an activity failure means for the run. */
final class Failures {

  private static final int MAX_SUMMARY = 600;

  private Failures() {}

  /**
   * A host activity that was never picked up (schedule-to-start), whose worker stopped
   * heartbeating, or whose worker said it is shutting down: the host, and with it the workspace, is
   * gone.
   */
  static boolean isHostLost(ActivityFailure failure) {
    if (failure.getCause() instanceof ApplicationFailure app) {
      return FailureTypes.HOST_LOST.equals(app.getType());
    }
    if (failure.getCause() instanceof TimeoutFailure timeout) {
      TimeoutType type = timeout.getTimeoutType();
      return type == TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START
          || type == TimeoutType.TIMEOUT_TYPE_HEARTBEAT;
    }
    return false;
  }

  /**
   * A fetch that no worker of the architecture's shared queue picked up in time: nobody serves that
   * architecture. Looks through the whole cause chain, in case the timeout arrives wrapped.
   */
  static boolean isScheduleToStartTimeout(ActivityFailure failure) {
    for (Throwable cause = failure.getCause(); cause != null; cause = cause.getCause()) {
      if (cause instanceof TimeoutFailure timeout
          && timeout.getTimeoutType() == TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START) {
        return true;
      }
    }
    return false;
  }

  /** Whether the failure is the build's fault (bad ref, compile error, …), not the machine's. */
  static boolean isBuildFailure(ActivityFailure failure) {
    return failure.getCause() instanceof ApplicationFailure app
        && Arrays.asList(FailureTypes.BUILD_FAILURES).contains(app.getType());
  }

  /** The sentence for {@code failure_summary}: the activity's own message, without decoration. */
  static String summary(ActivityFailure failure) {
    Throwable cause = failure.getCause();
    String message =
        cause instanceof TemporalFailure temporal
            ? temporal.getOriginalMessage()
            : String.valueOf(cause);
    if (cause instanceof TimeoutFailure timeout) {
      message = "timed out (" + timeout.getTimeoutType().name().replace("TIMEOUT_TYPE_", "") + ")";
    }
    return truncate(message);
  }

  static String truncate(String summary) {
    if (summary == null || summary.length() <= MAX_SUMMARY) {
      return summary;
    }
    return summary.substring(0, MAX_SUMMARY - 1) + "…";
  }
}
