package dev.kiln.activities;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The first moments of a build step's activity attempt (fetch, compile, stage, gate, cleanup), in
 * which it sends Temporal no heartbeat.
 *
 * <p>Temporal counts the heartbeat timeout from the attempt's start, so a heartbeat right after it
 * tells Temporal little, and a cancel reaches running commands through the run's stop activity; yet
 * each heartbeat is a write of the activity's state on the Temporal server. Most of a build's
 * activities (the fetch, a gate such as {@code make test}, the cleanup) end within {@link #LENGTH}
 * and send none: a zlib build sends four or five heartbeats instead of seven.
 *
 * <p>{@link #LENGTH} is no longer than the heartbeat throttle (500 ms on the host queue, 1 s on the
 * fetch queue), so the longest stretch in which the server hears nothing, counted from the
 * attempt's start, is still the throttle's: a Temporal server that restarts has at least 4.5 s of
 * the 5 s heartbeat timeout to come back, as before. (Before, a command's first heartbeat went out
 * 250 ms after it started, a fetch's at once.)
 */
public final class QuietStart {

  public static final Duration LENGTH = Duration.ofMillis(500);

  private final LongSupplier nanoClock;
  private final long endsAt;

  /** Starts now. */
  public QuietStart() {
    this(System::nanoTime);
  }

  QuietStart(LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
    this.endsAt = nanoClock.getAsLong() + LENGTH.toNanos();
  }

  /** Whether heartbeats go out by now. */
  public boolean over() {
    return nanoClock.getAsLong() - endsAt >= 0;
  }

  /** How long until it is over; zero once it is. */
  public Duration remaining() {
    return Duration.ofNanos(Math.max(0, endsAt - nanoClock.getAsLong()));
  }
}
