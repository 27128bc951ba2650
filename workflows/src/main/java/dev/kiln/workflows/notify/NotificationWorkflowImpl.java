package dev.kiln.workflows.notify;

import io.temporal.activity.ActivityOptions;
import io.temporal.api.enums.v1.RetryState;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TimeoutFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;

public class NotificationWorkflowImpl implements NotificationWorkflow {

  /** Marking a notification failed is a short write of the api's; retried for an hour. */
  static final ActivityOptions GIVE_UP =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofSeconds(30))
          .setScheduleToCloseTimeout(Duration.ofHours(1))
          .build();

  @Override
  public void deliver(NotificationRequest request) {
    NotificationRequest.Retry retry = request.retry();
    NotificationActivities deliveries =
        Workflow.newActivityStub(
            NotificationActivities.class,
            ActivityOptions.newBuilder()
                .setStartToCloseTimeout(retry.attemptTimeout())
                .setScheduleToCloseTimeout(retry.expiry())
                .setRetryOptions(
                    RetryOptions.newBuilder()
                        .setInitialInterval(retry.initialInterval())
                        .setBackoffCoefficient(retry.backoff())
                        .setMaximumInterval(retry.maxInterval())
                        .setDoNotRetry(NotificationActivities.REFUSED)
                        .build())
                .build());
    try {
      deliveries.deliver(request.runId(), request.targetKey(), request.event());
    } catch (ActivityFailure failure) {
      Workflow.newActivityStub(NotificationActivities.class, GIVE_UP)
          .giveUp(request.runId(), request.targetKey(), request.event(), reason(failure));
    }
  }

  private static String reason(ActivityFailure failure) {
    Throwable cause = failure.getCause();
    String last =
        cause instanceof ApplicationFailure application
            ? application.getOriginalMessage()
            : cause == null ? failure.getMessage() : cause.getMessage();
    if (failure.getRetryState() == RetryState.RETRY_STATE_TIMEOUT
        || cause instanceof TimeoutFailure) {
      return "gave up: not delivered within the retry expiry; last error: " + last;
    }
    return last;
  }
}
