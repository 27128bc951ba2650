package dev.kiln.workflows.retention;

import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;

public class RetentionWorkflowImpl implements RetentionWorkflow {

  /**
   * A pass over a large backlog takes a while, batch after batch; each batch heartbeats, so a lost
   * worker is noticed within the heartbeat timeout and another takes over where it stopped.
   */
  static final ActivityOptions OPTIONS =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofHours(2))
          .setHeartbeatTimeout(Duration.ofMinutes(2))
          .setRetryOptions(
              RetryOptions.newBuilder()
                  .setInitialInterval(Duration.ofSeconds(10))
                  .setMaximumInterval(Duration.ofMinutes(5))
                  .setMaximumAttempts(10)
                  .build())
          .build();

  private final RetentionActivities activities =
      Workflow.newActivityStub(RetentionActivities.class, OPTIONS);

  @Override
  public RetentionResult removeDue() {
    return activities.removeDue();
  }
}
