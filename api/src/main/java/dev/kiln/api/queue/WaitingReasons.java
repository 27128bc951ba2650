package dev.kiln.api.queue;

import dev.kiln.workflows.TaskQueues;
import java.util.Optional;

/** The words a queued run's view uses to say why it waits. */
public final class WaitingReasons {

  private WaitingReasons() {}

  /**
   * @param pollers workers polling the arch's queue; empty when Temporal could not say, and the run
   *     is then assumed to wait for a slot
   * @param hostsServing build hosts that reported serving the arch recently: a host whose slots are
   *     all held does not poll, yet the run waits for it
   * @param ahead queued runs of the same arch that Temporal serves first
   */
  public static String reason(String arch, Optional<Integer> pollers, int hostsServing, int ahead) {
    if (pollers.isPresent() && pollers.get() == 0 && hostsServing == 0) {
      return "no worker polls " + TaskQueues.build(arch);
    }
    return "waiting for a free slot on "
        + arch
        + ": "
        + ahead
        + (ahead == 1 ? " build ahead" : " builds ahead");
  }

  /**
   * Whether any worker serves {@code arch}, as the workflow asks before failing a run with "no
   * worker for arch": one polls, or one reported itself; unknown pollers count as served, so a
   * Temporal that cannot answer never fails a run.
   */
  public static boolean served(Optional<Integer> pollers, int hostsServing) {
    return hostsServing > 0 || pollers.map(count -> count > 0).orElse(true);
  }
}
