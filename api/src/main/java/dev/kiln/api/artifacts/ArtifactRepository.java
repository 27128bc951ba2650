package dev.kiln.api.artifacts;

import java.io.IOException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/** The {@code artifacts} table: what each run staged, and where the store keeps it. */
@Repository
public class ArtifactRepository {

  private final JdbcClient jdbc;

  public ArtifactRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** How an upload ended in the ledger. */
  public sealed interface Recording {
    /** Taken: the row as stored; the file was moved into place under the run's lock. */
    record Recorded(StoredArtifact artifact) implements Recording {}

    /** The run is missing or has a terminal result: its artifacts are final. */
    record RunEnded() implements Recording {}

    /**
     * Over a quota: what the run already keeps besides this path.
     *
     * @param count artifacts of the run other than this path
     * @param bytes their sizes together
     */
    record OverQuota(long count, long bytes) implements Recording {}
  }

  /**
   * Records an artifact of a building run, within its quotas; re-uploading a path replaces the
   * previous record. The run's row is locked for the whole transaction, so the run cannot end and
   * no other upload of it can count in between: a finished run's artifacts (rows and files) are
   * final, which is what lets its view be cached.
   *
   * @param place puts the file where {@code key} says, while the lock is held
   */
  @Transactional(rollbackFor = IOException.class)
  public Recording record(
      long runId,
      String path,
      long size,
      String sha256,
      String key,
      Quota quota,
      FilePlacement place)
      throws IOException {
    boolean building =
        jdbc.sql("SELECT 1 FROM runs WHERE id = :runId AND result = 'building' FOR UPDATE")
            .param("runId", runId)
            .query(Integer.class)
            .optional()
            .isPresent();
    if (!building) {
      return new Recording.RunEnded();
    }
    Usage others = usage(runId, path);
    if (others.count() + 1 > quota.maxCount() || others.bytes() + size > quota.maxBytes()) {
      return new Recording.OverQuota(others.count(), others.bytes());
    }
    place.run();
    StoredArtifact stored =
        jdbc.sql(
                """
                INSERT INTO artifacts (run_id, path, size, sha256, storage_key)
                VALUES (:runId, :path, :size, :sha256, :key)
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
            .single();
    return new Recording.Recorded(stored);
  }

  /** The most artifacts, and bytes, one run may keep. */
  public record Quota(int maxCount, long maxBytes) {}

  /** What a run keeps already. */
  public record Usage(long count, long bytes) {}

  /** Moves an upload's file into place; may fail with an {@link IOException}. */
  @FunctionalInterface
  public interface FilePlacement {
    void run() throws IOException;
  }

  /** The run's artifacts other than {@code path}: how many, and their bytes together. */
  public Usage usage(long runId, String path) {
    return jdbc.sql(
            """
            SELECT count(*) AS n, coalesce(sum(size), 0) AS bytes
              FROM artifacts WHERE run_id = :runId AND path <> :path
            """)
        .param("runId", runId)
        .param("path", path)
        .query((rs, row) -> new Usage(rs.getLong("n"), rs.getLong("bytes")))
        .single();
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
