package dev.kiln.activities.logs;

import dev.kiln.activities.RunAttempt;
import dev.kiln.workflows.LogSequences;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** Makes a {@link StepLog} per activity attempt; one per worker process, sharing one uploader. */
public class StepLogs implements AutoCloseable {

  /** Flush at least this often, so a follower sees a line within ≈100 ms of its being written. */
  public static final Duration FLUSH_EVERY = Duration.ofMillis(100);

  public static final int CHUNK_BYTES = 64 * 1024;

  private final LogUploader uploader;
  private final ScheduledExecutorService timer;
  private final Clock clock;

  public StepLogs(LogUploader uploader, Clock clock) {
    this.uploader = uploader;
    this.clock = clock;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "kiln-log-flusher");
              thread.setDaemon(true);
              return thread;
            });
  }

  /**
   * @param attempt the run's host attempt the step works for: its chunks carry it, and none is
   *     written once it is superseded
   * @param stepBase the range the workflow gave this step
   * @param activityAttempt Temporal's attempt number, so a retry writes into a fresh range
   */
  public StepLog open(RunAttempt attempt, long stepBase, int activityAttempt) {
    return new StepLog(
        attempt,
        LogSequences.attemptBase(stepBase, activityAttempt),
        uploader,
        timer,
        FLUSH_EVERY,
        CHUNK_BYTES,
        clock);
  }

  /**
   * Waits (bounded) until the run's chunks are with the api, so its log is whole at the end.
   *
   * @return whether they are; false when the timeout passed first or the thread was interrupted
   */
  public boolean awaitUploaded(long runId, Duration timeout) {
    try {
      return uploader.awaitSent(runId, timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    uploader.close();
  }
}
