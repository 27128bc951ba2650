package dev.kiln.api.logs;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a task on an executor when woken, never two runs at once, and once more when woken while it
 * runs: wakes that arrive during a run coalesce into one more run, so a burst of notifications
 * costs one read, not one per notification.
 */
final class SerialTask {

  private final Executor executor;
  private final Runnable body;
  private final AtomicBoolean dirty = new AtomicBoolean();
  private final AtomicBoolean running = new AtomicBoolean();

  SerialTask(Executor executor, Runnable body) {
    this.executor = executor;
    this.body = body;
  }

  /** Never blocks. */
  void wake() {
    dirty.set(true);
    if (running.compareAndSet(false, true)) {
      try {
        executor.execute(this::run);
      } catch (RejectedExecutionException e) {
        running.set(false); // shutting down
      }
    }
  }

  private void run() {
    try {
      while (dirty.getAndSet(false)) {
        body.run();
      }
    } finally {
      running.set(false);
    }
    // a wake that came in after the loop's last check found running still set: take it now
    if (dirty.get()) {
      wake();
    }
  }
}
