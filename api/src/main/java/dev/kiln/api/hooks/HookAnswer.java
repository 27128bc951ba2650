package dev.kiln.api.hooks;

import java.util.List;

/**
 * The answer to a forge's delivery. Forges show it in their delivery logs, so it says in words what
 * Kiln did.
 *
 * @param duplicate true when the delivery id was taken before: nothing was done now
 * @param runs the runs started, one per architecture of the repository
 * @param cancelled the runs asked to cancel (a deleted branch, a closed merge request)
 * @param note why nothing was started, or {@code null}
 */
record HookAnswer(
    String forge,
    String delivery,
    String event,
    Long repoId,
    boolean duplicate,
    List<StartedRun> runs,
    List<Long> cancelled,
    String note) {

  HookAnswer {
    runs = runs == null ? List.of() : List.copyOf(runs);
    cancelled = cancelled == null ? List.of() : List.copyOf(cancelled);
  }

  /** A run the delivery started. */
  record StartedRun(long runId, String lane, String statusUrl) {}
}
