package dev.kiln.api.retention;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/** The ledger's side of retention: which runs are due, and removing a run's logs and artifacts. */
@Repository
class RetentionRepository {

  /**
   * A finished run past its repository's retention, and not the newest finished run of its lane
   * (the lane's last result, kept whatever its age, also while a newer run builds).
   */
  record Due(long runId, long keepSeconds) {}

  /**
   * What removing one run took away.
   *
   * @param artifactKeys the storage keys of its artifacts (and of a local submission's upload), for
   *     the files to go too
   */
  record Removed(long logChunks, List<String> artifactKeys) {}

  private final JdbcClient jdbc;

  RetentionRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** Up to {@code limit} due runs, oldest first. */
  List<Due> due(RetentionRules rules, int limit) {
    Map<String, Object> params = new LinkedHashMap<>();
    String keep = rules.keepSql("r.repo", params);
    params.put("limit", limit);
    return jdbc.sql(
            """
            SELECT r.id, %s AS keep_s
              FROM runs r
             WHERE r.finished_at IS NOT NULL
               AND r.finished_at < now() - make_interval(secs => %s)
               AND NOT EXISTS (SELECT 1 FROM run_retention x WHERE x.run_id = r.id)
               AND r.id < (SELECT max(l.id) FROM runs l
                            WHERE l.lane = r.lane AND l.finished_at IS NOT NULL)
             ORDER BY r.id
             LIMIT :limit
            """
                .formatted(keep, keep))
        .params(params)
        .query((rs, row) -> new Due(rs.getLong("id"), rs.getLong("keep_s")))
        .list();
  }

  /**
   * Removes a finished run's log chunks and artifact rows and records that it did, in one
   * transaction; nothing when another instance got there first.
   */
  @Transactional
  Removed remove(Due due) {
    boolean first =
        jdbc.sql(
                """
                INSERT INTO run_retention (run_id, kept_for)
                SELECT id, make_interval(secs => :keep) FROM runs
                 WHERE id = :runId AND finished_at IS NOT NULL
                ON CONFLICT (run_id) DO NOTHING
                RETURNING run_id
                """)
            .param("runId", due.runId())
            .param("keep", due.keepSeconds())
            .query(Long.class)
            .optional()
            .isPresent();
    if (!first) {
      return new Removed(0, List.of());
    }
    int chunks =
        jdbc.sql("DELETE FROM run_log_chunks WHERE run_id = :runId")
            .param("runId", due.runId())
            .update();
    List<String> keys =
        new ArrayList<>(
            jdbc.sql("DELETE FROM artifacts WHERE run_id = :runId RETURNING storage_key")
                .param("runId", due.runId())
                .query(String.class)
                .list());
    // a local submission's upload is stored like an artifact and goes with them
    keys.addAll(
        jdbc.sql("DELETE FROM submissions WHERE run_id = :runId RETURNING storage_key")
            .param("runId", due.runId())
            .query(String.class)
            .list());
    return new Removed(chunks, keys);
  }

  /** Whether any artifact row still points at {@code key} (keys from before per-run storage). */
  boolean referenced(String key) {
    return jdbc.sql("SELECT EXISTS (SELECT 1 FROM artifacts WHERE storage_key = :key)")
        .param("key", key)
        .query(Boolean.class)
        .single();
  }
}
