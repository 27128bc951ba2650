package dev.kiln.activities.process;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits for something while calling a tick at a fixed interval, the way an activity waits for its
 * command while heartbeating. It turns the two ways a wait ends early into callbacks: the timeout
 * passing, and the waiting thread being interrupted. It keeps waiting after either, because the
 * caller's reaction (killing the group) takes time too; {@link #interrupted()} tells whether the
 * caller must restore the interrupt flag.
 */
final class TickingWait {

  private final Runnable tick;
  private final long intervalNanos;
  private final Runnable onTimeout;
  private final Runnable onInterrupt;
  private boolean interrupted;

  TickingWait(Runnable tick, Duration interval, Runnable onTimeout, Runnable onInterrupt) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("tick interval must be positive: " + interval);
    }
    this.tick = tick;
    this.intervalNanos = interval.toNanos();
    this.onTimeout = onTimeout;
    this.onInterrupt = onInterrupt;
  }

  /**
   * Returns once {@code future} is done. Calls the tick every interval (a RuntimeException from it
   * ends the wait and propagates) and {@code onTimeout} once, when {@code timeout} has passed.
   *
   * @param timeout null for none
   */
  void await(CompletableFuture<?> future, Duration timeout) {
    long start = System.nanoTime();
    // Work with elapsed time: System.nanoTime() values may be negative, deadlines could overflow.
    long timeoutAt = timeout == null ? Long.MAX_VALUE : timeout.toNanos();
    long nextTick = intervalNanos;
    while (!future.isDone()) {
      long elapsed = System.nanoTime() - start;
      if (elapsed >= timeoutAt) {
        onTimeout.run();
        timeoutAt = Long.MAX_VALUE;
      }
      if (elapsed >= nextTick) {
        tick.run();
        nextTick = elapsed + intervalNanos;
      }
      awaitAtMost(future, Math.min(nextTick, timeoutAt) - elapsed);
    }
  }

  /**
   * Like {@link #await} without a timeout, but a tick that throws is ignored: after a cancel, the
   * kill's grace period is waited out while still heartbeating, since the heartbeat is sent even
   * when it reports the cancel, and without it Temporal would time the activity out before the
   * group is gone and the run would end with its log incomplete.
   */
  void awaitTickingThroughFailures(CompletableFuture<?> future) {
    long start = System.nanoTime();
    long nextTick = intervalNanos;
    while (!future.isDone()) {
      long elapsed = System.nanoTime() - start;
      if (elapsed >= nextTick) {
        try {
          tick.run();
        } catch (RuntimeException alreadyCancelled) {
          // Known: the run is being cancelled or the worker is stopping; the send still happened.
        }
        nextTick = elapsed + intervalNanos;
      }
      awaitAtMost(future, nextTick - elapsed);
    }
  }

  /** Whether the waiting thread was interrupted (the flag was cleared to go on waiting). */
  boolean interrupted() {
    return interrupted;
  }

  private void awaitAtMost(CompletableFuture<?> future, long nanos) {
    try {
      future.get(Math.max(nanos, 0), TimeUnit.NANOSECONDS);
    } catch (TimeoutException | ExecutionException e) {
      // Time to tick; or the future failed, which the loop sees as done.
    } catch (InterruptedException e) {
      interrupted = true;
      onInterrupt.run();
    }
  }
}
