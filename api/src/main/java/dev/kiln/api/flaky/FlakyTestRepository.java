package dev.kiln.api.flaky;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code flaky_tests} table: per repository, each test seen failing and then passing. */
@Repository
public class FlakyTestRepository {

  /**
   * A test that failed in a run and passed in its retry of the same commit.
   *
   * @param suite {@code null} when the runner groups tests under nothing
   * @param timesFlaky in how many retries it passed after failing
   * @param lastRunId the latest retry it passed in
   * @param lastFailedRunId the run whose failure that retry undid
   */
  public record FlakyTest(
      String gate,
      String suite,
      String name,
      int timesFlaky,
      Instant firstSeenAt,
      long lastRunId,
      long lastFailedRunId,
      Instant lastSeenAt) {}

  private final JdbcClient jdbc;

  public FlakyTestRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * Counts once more each test of {@code failedRunId} that failed there and passed in {@code
   * passedRunId} (same gate, suite and name). Called once per retry, in the transaction of its end.
   *
   * @param repoKey the repository, as registrations compare URLs
   * @return how many tests were counted
   */
  public int recordFlaky(String repoKey, long failedRunId, long passedRunId) {
    // DISTINCT: a report may name one test twice (parametrised tests), and it counts once
    return jdbc.sql(
            """
            INSERT INTO flaky_tests AS f
                   (repo_key, gate, suite, name, times_flaky, first_seen_at, last_run_id,
                    last_failed_run_id, last_seen_at)
            SELECT DISTINCT :repoKey, failed.gate, coalesce(failed.suite, ''), failed.name, 1,
                   now(), CAST(:passedRunId AS bigint), CAST(:failedRunId AS bigint), now()
              FROM test_results failed
              JOIN test_results passed
                ON passed.run_id = :passedRunId AND passed.gate = failed.gate
               AND passed.name = failed.name AND passed.suite IS NOT DISTINCT FROM failed.suite
               AND passed.status = 'passed'
             WHERE failed.run_id = :failedRunId AND failed.status = 'failed'
            ON CONFLICT (repo_key, gate, suite, name) DO UPDATE
               SET times_flaky = f.times_flaky + 1,
                   last_run_id = EXCLUDED.last_run_id,
                   last_failed_run_id = EXCLUDED.last_failed_run_id,
                   last_seen_at = EXCLUDED.last_seen_at
            """)
        .param("repoKey", repoKey)
        .param("failedRunId", failedRunId)
        .param("passedRunId", passedRunId)
        .update();
  }

  /** The repository's flaky tests, most often flaky first, then most recently. */
  public List<FlakyTest> ofRepo(String repoKey, int limit) {
    return jdbc.sql(
            """
            SELECT * FROM flaky_tests WHERE repo_key = :repoKey
             ORDER BY times_flaky DESC, last_seen_at DESC, gate, suite, name
             LIMIT :limit
            """)
        .param("repoKey", repoKey)
        .param("limit", limit)
        .query(FlakyTestRepository::map)
        .list();
  }

  private static FlakyTest map(ResultSet rs, int row) throws SQLException {
    String suite = rs.getString("suite");
    return new FlakyTest(
        rs.getString("gate"),
        suite.isEmpty() ? null : suite,
        rs.getString("name"),
        rs.getInt("times_flaky"),
        rs.getTimestamp("first_seen_at").toInstant(),
        rs.getLong("last_run_id"),
        rs.getLong("last_failed_run_id"),
        rs.getTimestamp("last_seen_at").toInstant());
  }
}
