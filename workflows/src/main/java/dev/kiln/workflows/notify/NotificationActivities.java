package dev.kiln.workflows.notify;

import io.temporal.activity.ActivityInterface;

/** The api's side of a notification: it sends, and records each attempt in the run view. */
@ActivityInterface
public interface NotificationActivities {

  /**
   * One attempt: sends what the target has not acknowledged yet and records the attempt. Fails
   * retryably on a 5xx answer, a refused or broken connection or a timeout; non-retryably ({@code
   * ApplicationFailure} of type {@link #REFUSED}) on a 4xx answer or a target Kiln may not reach.
   */
  void deliver(long runId, String targetKey, String event);

  /**
   * Marks a notification still {@code pending} {@code failed} after its last attempt, with {@code
   * reason} (which quotes the last error) as its error.
   */
  void giveUp(long runId, String targetKey, String event, String reason);

  /** The failure type of a delivery that must not be retried. */
  String REFUSED = "NotificationRefused";
}
