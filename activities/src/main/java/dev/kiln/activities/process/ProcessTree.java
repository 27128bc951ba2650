package dev.kiln.activities.process;

import java.time.Duration;

/**
 * The processes of one running command, killed as a whole: a plain process group ({@link
 * ProcessGroup}), or a sandbox's pid namespace ({@link SandboxTree}), whose members may have left
 * the group but never the namespace.
 */
interface ProcessTree {

  /** The process group of the process the runner started (pid == pgid). */
  long pgid();

  /** Whether any member still runs; zombies count as gone. */
  boolean isAlive();

  /**
   * SIGTERM to every member, then up to {@code grace} for them to exit, then SIGKILL, telling
   * {@code observer} each step.
   *
   * @param reason passed on to {@link KillObserver#terminateSent}
   * @return whether every member is gone
   */
  boolean terminate(Duration grace, CancelReason reason, KillObserver observer);
}
