package dev.kiln.workflows.watch;

import dev.kiln.workflows.TaskQueues;
import dev.kiln.workflows.internal.InternalBodies.Head;
import dev.kiln.workflows.internal.InternalBodies.Heads;
import dev.kiln.workflows.internal.InternalBodies.HeadsAnswer;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.List;

public class WatchWorkflowImpl implements WatchWorkflow {

  /**
   * A poll that cannot list the remote gives up within minutes: the next one comes an interval
   * later, and the schedule skips polls while one runs, so a stuck poll must not hold it for long.
   * A refused or missing repository is not retried at all.
   */
  static final ActivityOptions LIST_OPTIONS =
      ActivityOptions.newBuilder()
          .setTaskQueue(TaskQueues.WATCH)
          .setStartToCloseTimeout(Duration.ofMinutes(1))
          .setScheduleToCloseTimeout(Duration.ofMinutes(3))
          .setRetryOptions(
              RetryOptions.newBuilder()
                  .setInitialInterval(Duration.ofSeconds(1))
                  .setMaximumInterval(Duration.ofSeconds(20))
                  .setMaximumAttempts(4)
                  .build())
          .build();

  /**
   * The api decides and records in one transaction, so a retried call after a lost answer starts
   * nothing twice: the heads it built are recorded as built.
   */
  static final ActivityOptions API_OPTIONS =
      ActivityOptions.newBuilder()
          .setTaskQueue(TaskQueues.CONTROL)
          .setStartToCloseTimeout(Duration.ofSeconds(30))
          .setScheduleToCloseTimeout(Duration.ofMinutes(5))
          .setRetryOptions(
              RetryOptions.newBuilder()
                  .setInitialInterval(Duration.ofSeconds(1))
                  .setMaximumInterval(Duration.ofSeconds(30))
                  .build())
          .build();

  private final RemoteHeadsActivities remote =
      Workflow.newActivityStub(RemoteHeadsActivities.class, LIST_OPTIONS);
  private final WatchActivities api = Workflow.newActivityStub(WatchActivities.class, API_OPTIONS);

  @Override
  public HeadsAnswer poll(WatchRequest request) {
    List<Head> heads = remote.listHeads(request.url());
    return api.buildMoved(request.repoId(), new Heads(request.url(), request.triggeredBy(), heads));
  }
}
