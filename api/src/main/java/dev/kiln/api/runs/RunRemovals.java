package dev.kiln.api.runs;

import dev.kiln.api.web.ApiException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Which runs' logs and artifacts retention removed ({@code run_retention}), for the views and the
 * answers that would have served them.
 */
@Repository
public class RunRemovals {

  private final JdbcClient jdbc;

  public RunRemovals(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  public Optional<RunView.Retention> find(long runId) {
    return jdbc.sql(
            """
            SELECT removed_at, extract(epoch FROM kept_for)::bigint AS kept_for_s
              FROM run_retention WHERE run_id = :runId
            """)
        .param("runId", runId)
        .query(RunRemovals::map)
        .optional();
  }

  /**
   * @throws ApiException 410 naming when and why, when the run's logs and artifacts were removed
   */
  public void requireKept(long runId, String what) {
    find(runId)
        .ifPresent(
            removed -> {
              throw new ApiException(
                  HttpStatus.GONE, "the " + what + " of run " + runId + ": " + removed.note());
            });
  }

  private static RunView.Retention map(ResultSet rs, int row) throws SQLException {
    return retention(
        rs.getTimestamp("removed_at").toInstant(), Duration.ofSeconds(rs.getLong("kept_for_s")));
  }

  static RunView.Retention retention(Instant removedAt, Duration keptFor) {
    String kept = RunView.Retention.format(keptFor);
    return new RunView.Retention(
        removedAt,
        kept,
        "logs and artifacts removed on "
            + removedAt
            + ", "
            + kept
            + " after the run ended (kiln.retention); its result, summary and gates are kept");
  }
}
