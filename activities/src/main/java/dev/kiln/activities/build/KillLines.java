package dev.kiln.activities.build;

import dev.kiln.activities.logs.StepLog;
import dev.kiln.activities.process.CancelReason;
import dev.kiln.activities.process.KillObserver;
import dev.kiln.workflows.Durations;
import java.time.Duration;

/**
 * Writes each step of killing a command's process group into the build log as Kiln's own lines.
 * They are how a user sees a cancellation carried out and confirmed:
 *
 * <pre>
 * cancelling: SIGTERM sent (cancelled by the workflow)
 * SIGKILL sent after 10s grace
 * process group gone
 * </pre>
 */
final class KillLines implements KillObserver {

  private final StepLog log;

  KillLines(StepLog log) {
    this.log = log;
  }

  @Override
  public void terminateSent(CancelReason reason) {
    log.kiln(
        reason == null
            ? "command exited but left processes running: SIGTERM sent"
            : "cancelling: SIGTERM sent (" + reason + ")");
  }

  @Override
  public void killSent(Duration grace) {
    log.kiln("SIGKILL sent after " + Durations.format(grace) + " grace");
  }

  @Override
  public void groupGone() {
    log.kiln("process group gone");
  }
}
