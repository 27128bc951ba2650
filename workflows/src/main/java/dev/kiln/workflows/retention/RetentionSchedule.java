package dev.kiln.workflows.retention;

import dev.kiln.workflows.TaskQueues;
import io.temporal.api.enums.v1.ScheduleOverlapPolicy;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.schedules.Schedule;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import io.temporal.client.schedules.ScheduleAlreadyRunningException;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleIntervalSpec;
import io.temporal.client.schedules.ScheduleOptions;
import io.temporal.client.schedules.SchedulePolicy;
import io.temporal.client.schedules.ScheduleSpec;
import io.temporal.client.schedules.ScheduleUpdate;
import java.time.Duration;
import java.util.List;

/**
 * The Temporal Schedule that runs {@link RetentionWorkflow} once a day at 03:00 UTC. Control
 * workers register it when they start: the first creates it, the others (and every later start)
 * bring its definition up to date, so registering is idempotent.
 */
public final class RetentionSchedule {

  public static final String ID = "kiln-retention";

  private RetentionSchedule() {}

  public static Schedule definition() {
    return Schedule.newBuilder()
        .setAction(
            ScheduleActionStartWorkflow.newBuilder()
                .setWorkflowType(RetentionWorkflow.class)
                .setOptions(
                    WorkflowOptions.newBuilder()
                        .setWorkflowId(ID)
                        .setTaskQueue(TaskQueues.CONTROL)
                        .setWorkflowRunTimeout(Duration.ofHours(6))
                        .build())
                .build())
        .setSpec(
            ScheduleSpec.newBuilder()
                .setIntervals(
                    List.of(new ScheduleIntervalSpec(Duration.ofDays(1), Duration.ofHours(3))))
                .build())
        .setPolicy(
            SchedulePolicy.newBuilder()
                .setOverlap(ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_SKIP)
                .setCatchupWindow(Duration.ofDays(1))
                .build())
        .build();
  }

  /**
   * Creates the schedule, or updates an existing one to {@link #definition()}.
   *
   * @return whether it was created (rather than found)
   */
  public static boolean register(ScheduleClient schedules) {
    try {
      schedules.createSchedule(ID, definition(), ScheduleOptions.newBuilder().build());
      return true;
    } catch (ScheduleAlreadyRunningException e) {
      schedules.getHandle(ID).update(input -> new ScheduleUpdate(definition()));
      return false;
    }
  }
}
