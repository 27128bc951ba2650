package dev.kiln.api.submissions;

import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code submissions} table: which upload a local submission's run builds. */
@Repository
class SubmissionRepository {

  /** A stored upload. */
  record Upload(long runId, String storageKey, long size, String sha256, String commitSha) {}

  private final JdbcClient jdbc;

  SubmissionRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  void insert(Upload upload) {
    jdbc.sql(
            """
            INSERT INTO submissions (run_id, storage_key, size, sha256, commit_sha)
            VALUES (:runId, :storageKey, :size, :sha256, :commitSha)
            """)
        .paramSource(upload)
        .update();
  }

  Optional<Upload> find(long runId) {
    return jdbc.sql(
            """
            SELECT run_id, storage_key, size, sha256, commit_sha FROM submissions
             WHERE run_id = :runId
            """)
        .param("runId", runId)
        .query(
            (rs, row) ->
                new Upload(
                    rs.getLong("run_id"),
                    rs.getString("storage_key"),
                    rs.getLong("size"),
                    rs.getString("sha256"),
                    rs.getString("commit_sha")))
        .optional();
  }
}
