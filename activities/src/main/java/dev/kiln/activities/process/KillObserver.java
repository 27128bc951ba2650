package dev.kiln.activities.process;

import java.time.Duration;

/**
 * Hears how a process group is killed, step by step, so the build log can show a cancellation being
 * carried out and confirmed. Called from the runner's kill thread, in this order: {@link
 * #terminateSent}, then {@link #killSent} only if the group outlived the grace period, then {@link
 * #groupGone} once no member runs (not at all if the group survived SIGKILL). Must not throw.
 */
public interface KillObserver {

  /** Observes nothing. */
  KillObserver NONE = new KillObserver() {};

  /**
   * SIGTERM went to the group.
   *
   * @param reason why the command is being killed, or {@code null} when the command exited on its
   *     own and only processes it left behind are being killed
   */
  default void terminateSent(CancelReason reason) {}

  /** The group was still running {@code grace} after SIGTERM, so SIGKILL went to it. */
  default void killSent(Duration grace) {}

  /** No member of the group runs any more. */
  default void groupGone() {}
}
