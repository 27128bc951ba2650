package dev.kiln.api.runs;

import dev.kiln.workflows.activities.RunRestart;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code run_restarts} table: each time a run started over after losing its host. */
@Repository
public class RunRestartRepository {

  /**
   * One restart, as the run view shows it.
   *
   * @param note {@code restarted on <host>: previous host lost (<previous host>)}
   */
  public record Restart(
      int attempt, String host, String previousHost, String note, Instant restartedAt) {}

  private final JdbcClient jdbc;

  public RunRestartRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * @return whether this attempt was new (a retried report of the same attempt changes nothing)
   */
  public boolean record(long runId, int attempt, String host, String previousHost) {
    return jdbc.sql(
                """
                INSERT INTO run_restarts (run_id, attempt, host, previous_host)
                VALUES (:runId, :attempt, :host, :previousHost)
                ON CONFLICT (run_id, attempt) DO NOTHING
                """)
            .param("runId", runId)
            .param("attempt", attempt)
            .param("host", host)
            .param("previousHost", previousHost)
            .update()
        == 1;
  }

  /** Oldest first. */
  public List<Restart> findByRun(long runId) {
    return jdbc.sql(
            """
            SELECT attempt, host, previous_host, restarted_at
              FROM run_restarts
             WHERE run_id = :runId
             ORDER BY attempt
            """)
        .param("runId", runId)
        .query(
            (rs, row) ->
                new Restart(
                    rs.getInt("attempt"),
                    rs.getString("host"),
                    rs.getString("previous_host"),
                    RunRestart.note(rs.getString("host"), rs.getString("previous_host")),
                    RunRepository.instant(rs, "restarted_at")))
        .list();
  }
}
