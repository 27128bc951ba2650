package dev.kiln.workflows.watch;

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
 * The Temporal Schedule that polls one registered repository every poll interval, {@code
 * kiln-watch-<repo id>}: visible, pausable and triggerable in the Web UI. The api creates, updates
 * and deletes it with the registration, and brings every one in line with the table at start.
 */
public final class WatchSchedule {

  public static final String ID_PREFIX = "kiln-watch-";

  /** Who the runs of scheduled polls are {@code triggered_by}. */
  public static final String TRIGGERED_BY = "watcher";

  /** Temporal's smallest catch-up window. */
  private static final Duration MIN_CATCHUP = Duration.ofSeconds(10);

  private WatchSchedule() {}

  public static String id(long repoId) {
    return ID_PREFIX + repoId;
  }

  /**
   * Every {@code interval}, one poll of {@code url}; a poll still running when the next is due
   * makes that one skip (never two polls of a repository at once). After a Temporal outage, the
   * poll missed last is made up for, once.
   */
  public static Schedule definition(long repoId, String url, Duration interval) {
    return Schedule.newBuilder()
        .setAction(
            ScheduleActionStartWorkflow.newBuilder()
                .setWorkflowType(WatchWorkflow.class)
                .setArguments(new WatchRequest(repoId, url, TRIGGERED_BY))
                .setOptions(
                    WorkflowOptions.newBuilder()
                        .setWorkflowId(id(repoId))
                        .setTaskQueue(TaskQueues.CONTROL)
                        .setWorkflowExecutionTimeout(Duration.ofMinutes(10))
                        // No static summary: SDK 1.38 cannot read a schedule back whose action has
                        // one without details ("when parsing \"\" into String"), and updating
                        // this schedule reads it back.
                        .build())
                .build())
        .setSpec(
            ScheduleSpec.newBuilder()
                .setIntervals(List.of(new ScheduleIntervalSpec(interval)))
                .build())
        .setPolicy(
            SchedulePolicy.newBuilder()
                .setOverlap(ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_SKIP)
                .setCatchupWindow(interval.compareTo(MIN_CATCHUP) < 0 ? MIN_CATCHUP : interval)
                .build())
        .build();
  }

  /**
   * Creates the repository's schedule, or brings an existing one to {@link #definition}, keeping
   * its state: a schedule an operator paused in the Web UI stays paused.
   *
   * @return whether it was created (rather than updated)
   */
  public static boolean apply(
      ScheduleClient schedules, long repoId, String url, Duration interval) {
    Schedule wanted = definition(repoId, url, interval);
    try {
      schedules.createSchedule(id(repoId), wanted, ScheduleOptions.newBuilder().build());
      return true;
    } catch (ScheduleAlreadyRunningException e) {
      schedules
          .getHandle(id(repoId))
          .update(
              input ->
                  new ScheduleUpdate(
                      Schedule.newBuilder(wanted)
                          .setState(input.getDescription().getSchedule().getState())
                          .build()));
      return false;
    }
  }

  /** The repository id of a schedule id of this kind, or -1 for another schedule. */
  public static long repoIdOf(String scheduleId) {
    if (scheduleId == null || !scheduleId.startsWith(ID_PREFIX)) {
      return -1;
    }
    String rest = scheduleId.substring(ID_PREFIX.length());
    return rest.matches("[0-9]{1,18}") ? Long.parseLong(rest) : -1;
  }
}
