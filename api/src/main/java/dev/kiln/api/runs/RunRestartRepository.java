package dev.kiln.api.runs;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code run_restarts} table: each time a run started over after losing its host. */
@Repository
public class RunRestartRepository {

  private final JdbcClient jdbc;

  public RunRestartRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * Records a restart of a building run. The run's row is share-locked for the insert, so it cannot
   * end in between: a finished run's restarts are final.
   *
   * @return whether this attempt was new (a retried report of the same attempt changes nothing, and
   *     so does a report about a run that has ended)
   */
  public boolean record(long runId, int attempt, String host, String previousHost) {
    return jdbc.sql(
                """
                INSERT INTO run_restarts (run_id, attempt, host, previous_host)
                SELECT id, :attempt, :host, :previousHost
                  FROM runs WHERE id = :runId AND result = 'building'
                   FOR SHARE
                ON CONFLICT (run_id, attempt) DO NOTHING
                """)
            .param("runId", runId)
            .param("attempt", attempt)
            .param("host", host)
            .param("previousHost", previousHost)
            .update()
        == 1;
  }
}
