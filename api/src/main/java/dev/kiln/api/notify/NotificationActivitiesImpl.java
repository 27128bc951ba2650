package dev.kiln.api.notify;

import dev.kiln.workflows.notify.NotificationActivities;
import io.temporal.failure.ApplicationFailure;

/** The notification activities over {@link Deliveries}: its refusals are not retried. */
class NotificationActivitiesImpl implements NotificationActivities {

  private final Deliveries deliveries;

  NotificationActivitiesImpl(Deliveries deliveries) {
    this.deliveries = deliveries;
  }

  @Override
  public void deliver(long runId, String targetKey, String event) {
    try {
      deliveries.deliver(runId, targetKey, event);
    } catch (Deliveries.Refused e) {
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), REFUSED);
    } catch (Deliveries.Retryable e) {
      throw ApplicationFailure.newFailure(e.getMessage(), "NotificationNotDelivered");
    }
  }

  @Override
  public void giveUp(long runId, String targetKey, String event, String reason) {
    deliveries.giveUp(runId, targetKey, event, reason);
  }
}
