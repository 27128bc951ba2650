package dev.kiln.api.watch;

import java.sql.Array;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code branch_heads} table: per registered repository and branch, the commit of the last
 * build Kiln started, and its runs.
 */
@Repository
class BranchHeads {

  /** A branch's last started build. */
  record LastStarted(String sha, List<Long> runIds) {}

  private final JdbcClient jdbc;

  BranchHeads(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * Holds the repository's row until the transaction ends, so that two polls (or a poll and a push)
   * of one repository decide one after the other, each seeing what the other recorded.
   *
   * @return false when the repository is not registered
   */
  boolean lockRepository(long repoId) {
    return jdbc.sql("SELECT id FROM repos WHERE id = :id FOR UPDATE")
        .param("id", repoId)
        .query(Long.class)
        .optional()
        .isPresent();
  }

  /** Per branch, the commit of the last build started. */
  Map<String, String> lastStartedShas(long repoId) {
    Map<String, String> shas = new HashMap<>();
    jdbc.sql("SELECT branch, sha FROM branch_heads WHERE repo_id = :id")
        .param("id", repoId)
        .query((rs, row) -> Map.entry(rs.getString("branch"), rs.getString("sha")))
        .list()
        .forEach(e -> shas.put(e.getKey(), e.getValue()));
    return shas;
  }

  Optional<LastStarted> lastStarted(long repoId, String branch) {
    return jdbc.sql("SELECT sha, run_ids FROM branch_heads WHERE repo_id = :id AND branch = :b")
        .param("id", repoId)
        .param("b", branch)
        .query((rs, row) -> new LastStarted(rs.getString("sha"), longs(rs.getArray("run_ids"))))
        .optional();
  }

  void record(long repoId, String branch, String sha, List<Long> runIds, String startedBy) {
    jdbc.sql(
            """
            INSERT INTO branch_heads (repo_id, branch, sha, run_ids, started_by)
            VALUES (:id, :branch, :sha, :runIds, :by)
            ON CONFLICT (repo_id, branch) DO UPDATE
               SET sha = EXCLUDED.sha, run_ids = EXCLUDED.run_ids,
                   started_by = EXCLUDED.started_by, started_at = now()
            """)
        .param("id", repoId)
        .param("branch", branch)
        .param("sha", sha)
        .param("runIds", runIds.toArray(Long[]::new))
        .param("by", startedBy)
        .update();
  }

  /**
   * Forgets a branch's record made for {@code runIds} (and only that one: a later poll's record
   * stays), when those runs could not be started: the next poll or delivery builds the head again.
   */
  void forget(long repoId, String branch, List<Long> runIds) {
    jdbc.sql(
            """
            DELETE FROM branch_heads
             WHERE repo_id = :id AND branch = :branch AND run_ids = CAST(:runIds AS bigint[])
            """)
        .param("id", repoId)
        .param("branch", branch)
        .param("runIds", runIds.toArray(Long[]::new))
        .update();
  }

  private static List<Long> longs(Array array) throws SQLException {
    try {
      return List.of((Long[]) array.getArray());
    } finally {
      array.free();
    }
  }
}
