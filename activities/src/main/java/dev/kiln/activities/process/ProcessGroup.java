package dev.kiln.activities.process;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Unix process group, signalled as a whole. Signals go through {@code kill -- -<pgid>} because
 * the JDK can only signal single pids: {@code Process.destroy()} reaches the direct child only, and
 * {@code ProcessHandle.descendants()} is a racy snapshot that misses children already reparented to
 * PID 1 — exactly the ones a build leaves behind.
 */
final class ProcessGroup implements ProcessTree {

  private static final Logger log = LoggerFactory.getLogger(ProcessGroup.class);

  /** How long to wait for the group to vanish after SIGKILL, which cannot be ignored. */
  private static final Duration KILL_WAIT = Duration.ofSeconds(5);

  private static final Duration POLL = Duration.ofMillis(50);

  private final long pgid;

  ProcessGroup(long pgid) {
    if (pgid <= 1) {
      // kill -- -1 signals every process we may signal; never let a bad pid file get there.
      throw new IllegalArgumentException("not a process group id: " + pgid);
    }
    this.pgid = pgid;
  }

  @Override
  public long pgid() {
    return pgid;
  }

  /**
   * Whether any member of the group still runs. Zombies count as gone: they run no code, and killed
   * grandchildren stay zombies until PID 1 gets round to reaping them.
   */
  @Override
  public boolean isAlive() {
    if (ProcStat.available()) {
      return !ProcStat.groupMembers(pgid).isEmpty();
    }
    // Without /proc, kill -0 is the only probe; it also sees zombies, so it errs on "alive".
    return kill("-0");
  }

  /**
   * SIGTERM, then up to {@code grace} for the group to exit, then SIGKILL.
   *
   * @return whether the group is gone
   */
  boolean terminate(Duration grace) {
    return terminate(grace, null, KillObserver.NONE);
  }

  /**
   * SIGTERM, then up to {@code grace} for the group to exit, then SIGKILL, telling {@code observer}
   * each step.
   *
   * @param reason passed on to {@link KillObserver#terminateSent}
   * @return whether the group is gone
   */
  @Override
  public boolean terminate(Duration grace, CancelReason reason, KillObserver observer) {
    if (!isAlive()) {
      observer.groupGone();
      return true;
    }
    kill("-TERM");
    observer.terminateSent(reason);
    if (awaitGone(grace)) {
      observer.groupGone();
      return true;
    }
    log.info("process group {} still running {} after SIGTERM, sending SIGKILL", pgid, grace);
    kill("-KILL");
    observer.killSent(grace);
    boolean gone = awaitGone(KILL_WAIT);
    if (gone) {
      observer.groupGone();
    } else {
      log.warn("process group {} survived SIGKILL for {} (uninterruptible I/O?)", pgid, KILL_WAIT);
    }
    return gone;
  }

  /** Polls until no member runs or {@code timeout} passes; returns whether the group is gone. */
  boolean awaitGone(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (isAlive()) {
      if (System.nanoTime() - deadline >= 0) {
        return false;
      }
      sleepUninterruptibly(POLL);
    }
    return true;
  }

  /** Sends {@code signal} (e.g. {@code -TERM}) to the whole group; true if kill(1) succeeded. */
  boolean kill(String signal) {
    ProcessBuilder kill =
        new ProcessBuilder("kill", signal, "--", "-" + pgid)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    Process p;
    try {
      p = kill.start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot run kill(1) to signal process group " + pgid, e);
    }
    return waitUninterruptibly(p) == 0;
  }

  private static int waitUninterruptibly(Process p) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return p.waitFor();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  // Killing must finish even when the caller is being interrupted (worker shutdown): giving up
  // half-way would leave the group running with nobody left to kill it.
  static void sleepUninterruptibly(Duration duration) {
    long deadline = System.nanoTime() + duration.toNanos();
    boolean interrupted = false;
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      try {
        TimeUnit.NANOSECONDS.sleep(left);
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "process group " + pgid;
  }
}
