package dev.kiln.api.web;

import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.springframework.stereotype.Component;

/**
 * When this api last found PostgreSQL away. What it can answer from memory meanwhile (a token it
 * accepted before, a finished run's view) it answers at once for {@link #FAIL_FAST_FOR} after such
 * a failure, instead of waiting the pool's connection timeout again: a request that reads twice
 * (the token, then the run's notifications) would otherwise wait twice, past the 2 s an outage's
 * answers are held to. Once the window has passed, the next request asks the database again.
 */
@Component
public class DatabaseOutage {

  static final Duration FAIL_FAST_FOR = Duration.ofSeconds(1);

  private final LongSupplier nanoTime;
  private final AtomicLong lastSeen = new AtomicLong();
  private volatile boolean seen;

  public DatabaseOutage() {
    this(System::nanoTime);
  }

  DatabaseOutage(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  /**
   * Notes {@code failure} if it says the database is away.
   *
   * @return whether it does
   */
  public boolean noteIfAway(Throwable failure) {
    if (!DatabaseUnavailable.isCause(failure) || poolMerelyBusy(failure)) {
      return false;
    }
    lastSeen.set(nanoTime.getAsLong());
    seen = true;
    return true;
  }

  /**
   * Whether {@code failure} is the pool's timeout with every connection in use and none failing:
   * Hikari then says nothing more, where with PostgreSQL away it attaches the last failure to
   * connect (and its SQL state). A burst of requests is no outage; refusing everyone for a second
   * would make it one.
   */
  static boolean poolMerelyBusy(Throwable failure) {
    for (Throwable e = failure; e != null; e = e.getCause() == e ? null : e.getCause()) {
      if (e instanceof SQLTransientConnectionException timeout) {
        return timeout.getCause() == null && timeout.getSQLState() == null;
      }
    }
    return false;
  }

  /** Whether the database was found away within the last {@link #FAIL_FAST_FOR}. */
  public boolean recentlyAway() {
    return seen && nanoTime.getAsLong() - lastSeen.get() < FAIL_FAST_FOR.toNanos();
  }
}
