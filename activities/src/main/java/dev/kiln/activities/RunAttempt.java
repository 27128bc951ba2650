package dev.kiln.activities;

import io.temporal.client.ActivityCanceledException;
import io.temporal.client.ActivityCompletionException;
import io.temporal.client.ActivityNotExistsException;
import io.temporal.failure.TimeoutFailure;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One host attempt of a run, as this build host works for it (one per activity execution): the
 * number every write to the api carries ({@code AttemptFencing}), and whether the attempt was
 * superseded, which the host learns either way round:
 *
 * <ul>
 *   <li>the api refused a write as stale ({@code 409}, the run started over on another host);
 *   <li>a heartbeat said the activity timed out or no longer exists ({@link
 *       #supersedeIfStale(ActivityCompletionException)}): Temporal has given the run to another
 *       host, or will as soon as it notices.
 * </ul>
 *
 * <p>A superseded attempt's commands are killed at once, by what was registered with {@link
 * #onSuperseded}, and nothing more is sent for it: no log chunk, report, test result, artifact or
 * secrets request.
 */
public final class RunAttempt {

  private static final Logger log = LoggerFactory.getLogger(RunAttempt.class);

  private final long runId;
  private final int number;
  private final AtomicReference<String> supersededBecause = new AtomicReference<>();
  private final List<Runnable> onSuperseded = new CopyOnWriteArrayList<>();

  /**
   * @param number the run's host attempt, from the activity's input; 0 for an activity scheduled
   *     before attempts were carried, whose writes go unfenced
   */
  public RunAttempt(long runId, int number) {
    if (number < 0) {
      throw new IllegalArgumentException("attempt must not be negative: " + number);
    }
    this.runId = runId;
    this.number = number;
  }

  public long runId() {
    return runId;
  }

  /** The attempt's number; 0 when unknown (no header is sent then). */
  public int number() {
    return number;
  }

  public boolean isSuperseded() {
    return supersededBecause.get() != null;
  }

  /** Why the attempt is superseded, once it is. */
  public Optional<String> supersededBecause() {
    return Optional.ofNullable(supersededBecause.get());
  }

  /**
   * Marks the attempt superseded. The first call logs it and runs every registered action (killing
   * the attempt's commands); later calls change nothing.
   */
  public void supersede(String why) {
    if (!supersededBecause.compareAndSet(null, why)) {
      return;
    }
    log.warn(
        "run {} attempt {} is superseded ({}): killing its commands, sending nothing more for it",
        runId,
        number,
        why);
    for (Runnable action : onSuperseded) {
      action.run();
    }
  }

  /**
   * Supersedes the attempt when a heartbeat's failure says Temporal has moved on without it: the
   * activity no longer exists (it timed out; the run restarted elsewhere), or the SDK's own
   * heartbeat deadline passed (the host could not reach Temporal for longer than the heartbeat
   * timeout, so the server has timed the activity out). A cancel is not that: the workflow waits
   * for a cancelled command, which is killed with its grace period.
   *
   * @return whether the attempt is now superseded
   */
  public boolean supersedeIfStale(ActivityCompletionException heartbeatFailure) {
    if (heartbeatFailure instanceof ActivityNotExistsException) {
      supersede("Temporal no longer knows the activity: it timed out, or its run is gone");
    } else if (heartbeatFailure instanceof ActivityCanceledException
        && heartbeatFailure.getCause() instanceof TimeoutFailure) {
      supersede("its heartbeat timed out: Temporal gave up on this host");
    }
    return isSuperseded();
  }

  /**
   * Runs {@code action} when the attempt is superseded, or at once if it already is, until the
   * returned registration is closed.
   */
  public Registration onSuperseded(Runnable action) {
    onSuperseded.add(action);
    if (isSuperseded() && onSuperseded.remove(action)) {
      action.run();
    }
    return () -> onSuperseded.remove(action);
  }

  /** An action registered with {@link #onSuperseded}; closing it unregisters it. */
  @FunctionalInterface
  public interface Registration extends AutoCloseable {
    @Override
    void close();
  }

  @Override
  public String toString() {
    return "run " + runId + " attempt " + number;
  }
}
