package dev.kiln.api.artifacts;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code artifacts} table: what each run staged, and where the store keeps it. */
@Repository
public class ArtifactRepository {

  private final JdbcClient jdbc;

  public ArtifactRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * Records an artifact of a building run; re-uploading a path replaces the previous record. The
   * run's row is share-locked for the insert, so it cannot end in between: a finished run's
   * artifacts are final, which is what lets its view be cached.
   *
   * @return empty when the run is missing or already has a terminal result
   */
  public Optional<StoredArtifact> upsert(
      long runId, String path, long size, String sha256, String key) {
    return jdbc.sql(
            """
            INSERT INTO artifacts (run_id, path, size, sha256, storage_key)
            SELECT id, :path, :size, :sha256, :key
              FROM runs WHERE id = :runId AND result = 'building'
               FOR SHARE
            ON CONFLICT (run_id, path) DO UPDATE
               SET size = excluded.size, sha256 = excluded.sha256,
                   storage_key = excluded.storage_key, created_at = now()
            RETURNING *
            """)
        .param("runId", runId)
        .param("path", path)
        .param("size", size)
        .param("sha256", sha256)
        .param("key", key)
        .query(ArtifactRepository::map)
        .optional();
  }

  public List<StoredArtifact> findByRun(long runId) {
    return jdbc.sql("SELECT * FROM artifacts WHERE run_id = :runId ORDER BY path")
        .param("runId", runId)
        .query(ArtifactRepository::map)
        .list();
  }

  public Optional<StoredArtifact> find(long runId, String path) {
    return jdbc.sql("SELECT * FROM artifacts WHERE run_id = :runId AND path = :path")
        .param("runId", runId)
        .param("path", path)
        .query(ArtifactRepository::map)
        .optional();
  }

  private static StoredArtifact map(ResultSet rs, int row) throws SQLException {
    return new StoredArtifact(
        rs.getLong("run_id"),
        rs.getString("path"),
        rs.getLong("size"),
        rs.getString("sha256"),
        rs.getString("storage_key"),
        rs.getObject("created_at", OffsetDateTime.class).toInstant());
  }
}
