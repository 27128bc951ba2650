package dev.kiln.activities;

import io.temporal.activity.ActivityExecutionContext;
import io.temporal.client.ActivityCompletionException;
import io.temporal.client.ActivityWorkerShutdownException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Heartbeats from a timer while an activity does work that has no natural progress points (a clone
 * during server-side packing, hashing and uploading a large artifact, deleting a large workspace),
 * so a slow step is not mistaken for a dead host. Remembers whether a heartbeat answered that the
 * activity was cancelled, for the activity to act on when it can; one that says Temporal has moved
 * on without the activity supersedes its attempt at once.
 */
public final class BackgroundHeartbeat implements AutoCloseable {

  public static final Duration EVERY = Duration.ofSeconds(1);

  private static final ScheduledExecutorService TIMER =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread thread = new Thread(r, "kiln-background-heartbeat");
            thread.setDaemon(true);
            return thread;
          });

  private final ScheduledFuture<?> task;
  private final RunAttempt attempt;
  private volatile boolean cancelRequested;
  private volatile boolean workerShuttingDown;

  private BackgroundHeartbeat(
      ActivityExecutionContext context, Duration every, RunAttempt attempt, QuietStart quiet) {
    this.attempt = attempt;
    // The first beat as the attempt's quiet start ends, at once when it is over: most fetches and
    // cleanups end before it and send Temporal no heartbeat at all, while work that starts late
    // in an attempt (storing a gate's test results) beats at once, as before.
    this.task =
        TIMER.scheduleAtFixedRate(
            () -> beat(context),
            quiet.remaining().toMillis(),
            every.toMillis(),
            TimeUnit.MILLISECONDS);
  }

  /** Heartbeats every second for an attempt that starts now. */
  public static BackgroundHeartbeat start(ActivityExecutionContext context) {
    return new BackgroundHeartbeat(context, EVERY, null, new QuietStart());
  }

  /**
   * Heartbeats every second for work of {@code attempt}, once the attempt's {@code quiet} start is
   * over; the attempt is superseded when a heartbeat says Temporal has moved on without the
   * activity ({@link RunAttempt#supersedeIfStale}).
   */
  public static BackgroundHeartbeat start(
      ActivityExecutionContext context, RunAttempt attempt, QuietStart quiet) {
    return new BackgroundHeartbeat(context, EVERY, attempt, quiet);
  }

  /**
   * As {@link #start(ActivityExecutionContext, RunAttempt, QuietStart)} for an attempt that starts
   * now, every {@code every}.
   */
  public static BackgroundHeartbeat start(
      ActivityExecutionContext context, Duration every, RunAttempt attempt) {
    return new BackgroundHeartbeat(context, every, attempt, new QuietStart());
  }

  /** Whether Temporal answered a heartbeat with "cancelled" (or "no longer exists"). */
  public boolean cancelRequested() {
    return cancelRequested;
  }

  /** Whether the cancel came from this worker stopping (drained, restarted), not from Temporal. */
  public boolean workerShuttingDown() {
    return workerShuttingDown;
  }

  @Override
  public void close() {
    task.cancel(false);
  }

  private void beat(ActivityExecutionContext context) {
    try {
      context.heartbeat(null);
    } catch (ActivityCompletionException e) {
      // Cancelled, not found, worker shutting down, paused, reset: the result will not be used.
      workerShuttingDown = e instanceof ActivityWorkerShutdownException;
      cancelRequested = true;
      if (attempt != null) {
        attempt.supersedeIfStale(e);
      }
    } catch (RuntimeException e) {
      // A failed send is retried at the next beat; Temporal's timeout decides if it matters.
    }
  }
}
