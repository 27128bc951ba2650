package dev.kiln.api.logs;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.namedparam.SqlParameterSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code run_log_chunks} table. Writes are idempotent on {@code (run_id, seq)}: the worker
 * retries uploads, and a chunk that arrives twice is stored once.
 */
@Repository
public class LogChunkRepository {

  /**
   * The channel a batch insert notifies, with the run id as payload, for log followers (SSE) in any
   * api replica.
   */
  public static final String CHANNEL = "kiln_run_logs";

  private final JdbcClient jdbc;
  private final NamedParameterJdbcTemplate batch;

  public LogChunkRepository(JdbcClient jdbc, NamedParameterJdbcTemplate batch) {
    this.jdbc = jdbc;
    this.batch = batch;
  }

  /**
   * Inserts the chunks whose sequence numbers are new for the run; the others are left as they are.
   *
   * @return how many chunks were new
   */
  public int insertAll(long runId, List<LogChunk> chunks) {
    if (chunks.isEmpty()) {
      return 0;
    }
    SqlParameterSource[] rows =
        chunks.stream()
            .map(
                c ->
                    new MapSqlParameterSource()
                        .addValue("runId", runId)
                        .addValue("seq", c.seq())
                        .addValue("step", c.step())
                        .addValue("offset", c.offset())
                        .addValue("data", c.data(), Types.BINARY)
                        .addValue(
                            "createdAt",
                            c.createdAt() == null
                                ? null
                                : OffsetDateTime.ofInstant(c.createdAt(), ZoneOffset.UTC),
                            Types.TIMESTAMP_WITH_TIMEZONE))
            .toArray(SqlParameterSource[]::new);
    int[] counts =
        batch.batchUpdate(
            """
            INSERT INTO run_log_chunks (run_id, seq, step, byte_offset, data, created_at)
            VALUES (:runId, :seq, :step, :offset, :data, coalesce(:createdAt, now()))
            ON CONFLICT (run_id, seq) DO NOTHING
            """,
            rows);
    int inserted = 0;
    for (int count : counts) {
      // the driver may report SUCCESS_NO_INFO (-2) for a batched statement
      inserted += count > 0 ? count : 0;
    }
    return inserted;
  }

  /** Wakes log followers; delivered when the surrounding transaction commits. */
  public void notifyAppended(long runId) {
    jdbc.sql("SELECT pg_notify(:channel, :payload)")
        .param("channel", CHANNEL)
        .param("payload", Long.toString(runId))
        .query(Object.class)
        .optional();
  }

  /** The highest sequence number stored for the run so far. */
  public Optional<Long> lastSeq(long runId) {
    return jdbc.sql("SELECT max(seq) FROM run_log_chunks WHERE run_id = :runId")
        .param("runId", runId)
        .query(Long.class)
        .optional();
  }

  /**
   * Up to {@code limit} chunks with {@code afterSeq < seq <= upToSeq}, in sequence order.
   *
   * @param step only this step's chunks, or all when {@code null}
   */
  public List<LogChunk> read(long runId, String step, long afterSeq, long upToSeq, int limit) {
    return jdbc.sql(
            """
            SELECT seq, step, byte_offset, data, created_at
              FROM run_log_chunks
             WHERE run_id = :runId AND seq > :after AND seq <= :upTo
               AND (CAST(:step AS text) IS NULL OR step = :step)
             ORDER BY seq
             LIMIT :limit
            """)
        .param("runId", runId)
        .param("after", afterSeq)
        .param("upTo", upToSeq)
        .param("step", step, Types.VARCHAR)
        .param("limit", limit)
        .query(LogChunkRepository::map)
        .list();
  }

  private static LogChunk map(ResultSet rs, int row) throws SQLException {
    return new LogChunk(
        rs.getLong("seq"),
        rs.getString("step"),
        rs.getLong("byte_offset"),
        rs.getBytes("data"),
        rs.getObject("created_at", OffsetDateTime.class).toInstant());
  }
}
