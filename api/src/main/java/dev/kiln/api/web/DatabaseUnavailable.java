package dev.kiln.api.web;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.transaction.CannotCreateTransactionException;

/**
 * Tells a failure because PostgreSQL is away (stopped, restarting, in crash recovery, cut off) from
 * any other: such a request is answered 503 with {@code Retry-After}, never 500, since the same
 * request will work once the database is back.
 */
public final class DatabaseUnavailable {

  /** The answer's detail. */
  public static final String DETAIL = "the database is unavailable; try again shortly";

  /** What {@code Retry-After} says: a restart of PostgreSQL takes a few seconds. */
  public static final Duration RETRY_AFTER = Duration.ofSeconds(5);

  private DatabaseUnavailable() {}

  /** Whether {@code failure}, or one of its causes, says the database cannot be reached. */
  public static boolean isCause(Throwable failure) {
    for (Throwable e = failure; e != null; e = e.getCause() == e ? null : e.getCause()) {
      if (e instanceof CannotGetJdbcConnectionException
          || e instanceof CannotCreateTransactionException
          || e instanceof DataAccessResourceFailureException
          || e instanceof TransientDataAccessException
          || e instanceof SQLTransientConnectionException
          || (e instanceof SQLException sql && isConnectionState(sql.getSQLState()))) {
        return true;
      }
    }
    return false;
  }

  /**
   * SQLSTATE class 08 (connection exception), and PostgreSQL's 57P01-57P03: the server shutting
   * down, crashed, or still starting (crash recovery after a restart).
   */
  static boolean isConnectionState(String state) {
    return state != null
        && (state.startsWith("08")
            || state.equals("57P01")
            || state.equals("57P02")
            || state.equals("57P03"));
  }

  /** The {@code Retry-After} header of the answer. */
  public static HttpHeaders headers() {
    HttpHeaders headers = new HttpHeaders();
    headers.set(HttpHeaders.RETRY_AFTER, Long.toString(RETRY_AFTER.toSeconds()));
    return headers;
  }
}
