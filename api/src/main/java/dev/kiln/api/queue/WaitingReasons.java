package dev.kiln.api.queue;

import dev.kiln.workflows.TaskQueues;
import java.util.Optional;

/** The words a queued run's view uses to say why it waits. */
public final class WaitingReasons {

  private WaitingReasons() {}

  /**
   * @param pollers workers polling the arch's queue; empty when Temporal could not say, and the run
   *     is then assumed to wait for a slot
   * @param ahead queued runs of the same arch that Temporal serves first
   */
  public static String reason(String arch, Optional<Integer> pollers, int ahead) {
    if (pollers.isPresent() && pollers.get() == 0) {
      return "no worker polls " + TaskQueues.build(arch);
    }
    return "waiting for a free slot on "
        + arch
        + ": "
        + ahead
        + (ahead == 1 ? " build ahead" : " builds ahead");
  }
}
