package dev.kiln.workflows.notify;

import java.time.Duration;

/**
 * One notification to deliver. It names the target by key only: the target's URL, secret and token
 * stay in the api's database, out of the workflow's history.
 *
 * @param targetKey the target's stable key among its repository's targets
 * @param event {@code started} or {@code ended}
 * @param retry how the delivery is retried
 */
public record NotificationRequest(long runId, String targetKey, String event, Retry retry) {

  /**
   * @param initialInterval before the second attempt
   * @param backoff the factor each later wait grows by
   * @param maxInterval the longest wait between two attempts
   * @param expiry how long after the first attempt delivery is given up
   * @param attemptTimeout how long one attempt may take
   */
  public record Retry(
      Duration initialInterval,
      double backoff,
      Duration maxInterval,
      Duration expiry,
      Duration attemptTimeout) {}
}
