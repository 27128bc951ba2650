package dev.kiln.workflows.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import dev.kiln.workflows.TaskQueues;
import io.temporal.api.enums.v1.ScheduleOverlapPolicy;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import io.temporal.client.schedules.ScheduleIntervalSpec;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RetentionWorkflowTest {

  TestWorkflowEnvironment env;
  RetentionActivities activities =
      mock(RetentionActivities.class, withSettings().withoutAnnotations());

  @BeforeEach
  void start() {
    env = TestWorkflowEnvironment.newInstance();
    Worker worker = env.newWorker(TaskQueues.CONTROL);
    worker.registerWorkflowImplementationTypes(RetentionWorkflowImpl.class);
    worker.registerActivitiesImplementations(activities);
    env.start();
  }

  @AfterEach
  void stop() {
    env.close();
  }

  @Test
  void aPassAsksTheActivityAgainAfterAFailureAndReturnsWhatItRemoved() {
    when(activities.removeDue())
        .thenThrow(new IllegalStateException("api restarting"))
        .thenReturn(new RetentionResult(3, 120, 4));

    RetentionResult result =
        env.getWorkflowClient()
            .newWorkflowStub(
                RetentionWorkflow.class,
                WorkflowOptions.newBuilder().setTaskQueue(TaskQueues.CONTROL).build())
            .removeDue();

    assertThat(result).isEqualTo(new RetentionResult(3, 120, 4));
    verify(activities, times(2)).removeDue();
  }

  @Test
  void theScheduleStartsOnePassADayAtThreeOnTheControlQueueAndNeverTwoAtOnce() {
    var schedule = RetentionSchedule.definition();
    var action = (ScheduleActionStartWorkflow) schedule.getAction();

    assertThat(action.getWorkflowType()).isEqualTo("RetentionWorkflow");
    assertThat(action.getOptions().getTaskQueue()).isEqualTo(TaskQueues.CONTROL);
    assertThat(schedule.getSpec().getIntervals())
        .containsExactly(new ScheduleIntervalSpec(Duration.ofDays(1), Duration.ofHours(3)));
    assertThat(schedule.getPolicy().getOverlap())
        .isEqualTo(ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_SKIP);
  }
}
