package dev.kiln.workflows.watch;

import dev.kiln.workflows.internal.InternalBodies.HeadsAnswer;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One poll of a registered repository: lists the remote's branches on a build worker, then lets the
 * api start a rebuild of each watched branch that moved. Started by the repository's schedule
 * ({@link WatchSchedule}) every poll interval, and by {@code POST /repos/{id}/poll}.
 */
@WorkflowInterface
public interface WatchWorkflow {

  /** The workflow id of a poll asked for through {@code POST /repos/{id}/poll}. */
  static String pollNowId(long repoId) {
    return WatchSchedule.id(repoId) + "-now";
  }

  @WorkflowMethod
  HeadsAnswer poll(WatchRequest request);
}
