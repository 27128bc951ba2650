package dev.kiln.api.logs;

import dev.kiln.api.runs.RunRepository;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The api instance's one {@code LISTEN} connection. Ingest and the ledger {@code NOTIFY} with the
 * run id ({@link LogChunkRepository#CHANNEL}, {@link RunRepository#STATE_CHANNEL}); this fans each
 * notification out in memory to the streams following that run, so a thousand followers cost one
 * database connection, not a thousand. A notification only says "look again": followers read what
 * changed from the database, which stays the source of truth.
 *
 * <p>The connection is opened outside the pool (it is held for the life of the process, and a
 * pooled one would count against the pool and be recycled under it). When it fails, it is reopened
 * with backoff; every follower is woken after a reconnect to pick up whatever was notified while
 * nobody listened.
 */
@Component
public class RunNotifications implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(RunNotifications.class);

  private static final int POLL_MILLIS = 1000;

  /**
   * A partitioned network can leave a socket that never errors; probe it when it has been quiet.
   */
  private static final long PROBE_NANOS = TimeUnit.SECONDS.toNanos(30);

  private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

  private final ObjectProvider<JdbcConnectionDetails> connectionDetails;
  private final DataSource dataSource;
  private final Map<Long, Set<Runnable>> followers = new ConcurrentHashMap<>();

  private volatile boolean running;
  private volatile boolean listening;
  private Thread thread;

  public RunNotifications(
      ObjectProvider<JdbcConnectionDetails> connectionDetails, DataSource dataSource) {
    this.connectionDetails = connectionDetails;
    this.dataSource = dataSource;
  }

  /**
   * Calls {@code wake} on every notification about the run, on the listener thread: it must return
   * at once.
   *
   * @return ends the subscription
   */
  public Runnable subscribe(long runId, Runnable wake) {
    followers.computeIfAbsent(runId, id -> ConcurrentHashMap.newKeySet()).add(wake);
    return () ->
        followers.computeIfPresent(
            runId,
            (id, set) -> {
              set.remove(wake);
              return set.isEmpty() ? null : set;
            });
  }

  /** Whether the LISTEN is in place now. */
  public boolean listening() {
    return listening;
  }

  @Override
  public synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    thread = new Thread(this::loop, "kiln-run-notifications");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void stop() {
    Thread t;
    synchronized (this) {
      running = false;
      t = thread;
      thread = null;
    }
    if (t != null) {
      t.interrupt();
      try {
        t.join(2 * POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  private void loop() {
    long backoffMillis = 100;
    while (running) {
      try (Connection c = connect()) {
        PGConnection pg = c.unwrap(PGConnection.class);
        try (Statement s = c.createStatement()) {
          s.execute("LISTEN " + LogChunkRepository.CHANNEL);
          s.execute("LISTEN " + RunRepository.STATE_CHANNEL);
        }
        listening = true;
        backoffMillis = 100;
        log.debug("listening for run notifications");
        wakeAll();
        long quietSince = System.nanoTime();
        while (running) {
          PGNotification[] notifications = pg.getNotifications(POLL_MILLIS);
          if (notifications != null && notifications.length > 0) {
            quietSince = System.nanoTime();
            for (PGNotification n : notifications) {
              dispatch(n.getParameter());
            }
          } else if (System.nanoTime() - quietSince > PROBE_NANOS) {
            try (Statement s = c.createStatement()) {
              s.execute("SELECT 1");
            }
            quietSince = System.nanoTime();
          }
        }
      } catch (SQLException | RuntimeException e) {
        if (running) {
          log.warn(
              "run notifications: LISTEN connection failed ({}); reconnecting in {} ms",
              e.getMessage(),
              backoffMillis);
        }
      } finally {
        listening = false;
      }
      if (running) {
        // followers may have missed notifications; their next read catches up
        wakeAll();
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(backoffMillis));
        backoffMillis = Math.min(backoffMillis * 2, MAX_BACKOFF.toMillis());
      }
    }
  }

  private Connection connect() throws SQLException {
    JdbcConnectionDetails details = connectionDetails.getIfAvailable();
    if (details == null) {
      return dataSource.getConnection();
    }
    return DriverManager.getConnection(
        details.getJdbcUrl(), details.getUsername(), details.getPassword());
  }

  private void dispatch(String payload) {
    long runId;
    try {
      runId = Long.parseLong(payload.trim());
    } catch (NumberFormatException e) {
      log.warn("run notifications: ignored payload {}", payload);
      return;
    }
    Set<Runnable> wakes = followers.get(runId);
    if (wakes != null) {
      wakes.forEach(Runnable::run);
    }
  }

  void wakeAll() {
    followers.values().forEach(set -> set.forEach(Runnable::run));
  }
}
