package dev.kiln.workflows.notify;

import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.withSettings;

import dev.kiln.workflows.TaskQueues;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NotificationWorkflowTest {

  static final NotificationRequest.Retry RETRY =
      new NotificationRequest.Retry(
          Duration.ofSeconds(10),
          2.0,
          Duration.ofHours(1),
          Duration.ofHours(24),
          Duration.ofSeconds(30));

  TestWorkflowEnvironment env;
  NotificationActivities activities =
      mock(NotificationActivities.class, withSettings().withoutAnnotations());

  @BeforeEach
  void start() {
    env = TestWorkflowEnvironment.newInstance();
    Worker worker = env.newWorker(TaskQueues.NOTIFY);
    worker.registerWorkflowImplementationTypes(NotificationWorkflowImpl.class);
    worker.registerActivitiesImplementations(activities);
    env.start();
  }

  @AfterEach
  void stop() {
    env.close();
  }

  private void deliver(NotificationRequest.Retry retry) {
    env.getWorkflowClient()
        .newWorkflowStub(
            NotificationWorkflow.class,
            WorkflowOptions.newBuilder()
                .setTaskQueue(TaskQueues.NOTIFY)
                .setWorkflowId(NotificationWorkflow.workflowId(7, "abc", "ended"))
                .build())
        .deliver(new NotificationRequest(7, "abc", "ended", retry));
  }

  @Test
  void aDeliveryThatFailsRetryablyIsTriedAgainWithBackoffUntilItGetsThrough() {
    doThrow(ApplicationFailure.newFailure("HTTP 500", "NotificationNotDelivered"))
        .doThrow(ApplicationFailure.newFailure("HTTP 503", "NotificationNotDelivered"))
        .doNothing()
        .when(activities)
        .deliver(7, "abc", "ended");

    deliver(RETRY);

    verify(activities, times(3)).deliver(7, "abc", "ended");
    verify(activities, never()).giveUp(anyLong(), anyString(), anyString(), anyString());
  }

  @Test
  void aRefusedDeliveryIsNeverRetriedAndIsGivenUpOnce() {
    doThrow(
            ApplicationFailure.newNonRetryableFailure(
                "HTTP 400: bad request", NotificationActivities.REFUSED))
        .when(activities)
        .deliver(7, "abc", "ended");

    deliver(RETRY);

    verify(activities, times(1)).deliver(7, "abc", "ended");
    verify(activities).giveUp(7, "abc", "ended", "HTTP 400: bad request");
  }

  @Test
  void aDeliveryStillFailingAtTheExpiryIsGivenUp() {
    doThrow(ApplicationFailure.newFailure("HTTP 502", "NotificationNotDelivered"))
        .when(activities)
        .deliver(7, "abc", "ended");

    // the test server skips the waits: a day of retries passes at once
    deliver(RETRY);

    verify(activities, org.mockito.Mockito.atLeast(10)).deliver(7, "abc", "ended");
    verify(activities)
        .giveUp(
            7,
            "abc",
            "ended",
            "gave up: not delivered within the retry expiry; last error: HTTP 502");
  }
}
