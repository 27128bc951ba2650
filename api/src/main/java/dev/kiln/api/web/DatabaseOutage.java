package dev.kiln.api.web;

import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.springframework.stereotype.Component;

/**
 * When this api last found PostgreSQL away, for {@link OutageAwareDataSource} to refuse connections
 * at once for {@link #FAIL_FAST_FOR} after it. Once the window has passed, the next request asks
 * the database again.
 */
@Component
class DatabaseOutage {

  static final Duration FAIL_FAST_FOR = Duration.ofSeconds(1);

  private final LongSupplier nanoTime;
  private final AtomicLong lastSeen = new AtomicLong();
  private volatile boolean seen;

  DatabaseOutage() {
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
  boolean noteIfAway(Throwable failure) {
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
  boolean recentlyAway() {
    return seen && nanoTime.getAsLong() - lastSeen.get() < FAIL_FAST_FOR.toNanos();
  }
}
