package dev.kiln.workflows.retention;

import io.temporal.activity.ActivityInterface;

/** Control-queue activities of retention: calls of the api's {@code /internal/retention}. */
@ActivityInterface
public interface RetentionActivities {

  /**
   * Asks the api to remove due runs' logs and artifacts, batch by batch, until none is left;
   * heartbeats after each batch. Every batch is idempotent, so a retried attempt goes on where the
   * last one stopped.
   */
  RetentionResult removeDue();
}
