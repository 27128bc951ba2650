package dev.kiln.workflows.lane;

import dev.kiln.workflows.RebuildRequest;
import dev.kiln.workflows.SupersedePolicy;
import java.util.List;

/**
 * Which of a lane's requests goes next under the supersede policies ({@link SupersedePolicy}). The
 * newest request's policy decides: it is what the repository's settings said last.
 */
final class LaneOrder {

  private LaneOrder() {}

  /**
   * The waiting request that cuts the running build short: the newest one newer than it, when that
   * one's policy is {@code cancel-running}; {@code null} when the running build may finish.
   */
  static RebuildRequest superseding(List<RebuildRequest> pending, RebuildRequest running) {
    RebuildRequest newest = newestAfter(pending, running.runId());
    if (newest == null || newest.supersedePolicy() != SupersedePolicy.CANCEL_RUNNING) {
      return null;
    }
    return newest;
  }

  /** Whether the waiting requests all build, in order ({@code queue}). */
  static boolean queues(List<RebuildRequest> pending) {
    RebuildRequest newest = newestAfter(pending, Long.MIN_VALUE);
    return newest != null && newest.supersedePolicy() == SupersedePolicy.QUEUE;
  }

  /** The request that came first, or {@code null} when none waits. */
  static RebuildRequest oldest(List<RebuildRequest> pending) {
    RebuildRequest oldest = null;
    for (RebuildRequest request : pending) {
      if (oldest == null || request.runId() < oldest.runId()) {
        oldest = request;
      }
    }
    return oldest;
  }

  static RebuildRequest newestAfter(List<RebuildRequest> pending, long runId) {
    RebuildRequest newest = null;
    for (RebuildRequest request : pending) {
      if (request.runId() > runId && (newest == null || request.runId() > newest.runId())) {
        newest = request;
      }
    }
    return newest;
  }
}
