package dev.kiln.activities;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The first moments of an activity attempt, in which it sends Temporal no heartbeat.
 *
 * <p>Temporal counts the heartbeat timeout from the attempt's start, so a heartbeat at the start
 * tells it nothing it does not know, and a cancel reaches running commands through the run's stop
 * activity; yet each heartbeat is a write of the activity's state on the Temporal server. Most of a
 * build's activities (the fetch, a gate such as {@code make test}, the cleanup) end within {@link
 * #LENGTH} and send none: a zlib build sends four or five heartbeats instead of seven.
 *
 * <p>{@link #LENGTH} is the host queue's heartbeat throttle (500 ms): the SDK would have sent the
 * second heartbeat no earlier than that, so the server's heartbeat deadline is the same from then
 * on, and a Temporal server that restarts during an attempt's first moments has as long to come
 * back as before.
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
}
