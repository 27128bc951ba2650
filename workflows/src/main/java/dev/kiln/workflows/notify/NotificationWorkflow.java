package dev.kiln.workflows.notify;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Tells one notification target of one event of one run, retrying with backoff for hours. Started
 * by the api when its ledger records the run's start or end, with the id {@link #workflowId}: a
 * report the ledger gets again (a worker's retry) cannot start a second delivery.
 */
@WorkflowInterface
public interface NotificationWorkflow {

  @WorkflowMethod
  void deliver(NotificationRequest request);

  /** {@code kiln-notify-<run>-<target key>-<event>}. */
  static String workflowId(long runId, String targetKey, String event) {
    return "kiln-notify-" + runId + "-" + targetKey + "-" + event;
  }
}
