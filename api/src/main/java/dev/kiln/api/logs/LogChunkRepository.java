package dev.kiln.api.logs;

import dev.kiln.workflows.LogChunk;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
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
                            c.ts() == null
                                ? null
                                : OffsetDateTime.ofInstant(c.ts(), ZoneOffset.UTC),
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
   * A page of a log read with a byte budget.
   *
   * @param more whether chunks in the range were left for the next page (by the count or the byte
   *     budget); false when the page reached the end of the range
   */
  public record ChunkPage(List<LogChunk> chunks, boolean more) {}

  /**
   * As {@link #read(long, String, long, long, int)}, but stopping before the chunk that would take
   * the page past {@code maxBytes} (the first chunk is read whatever its size): a reader holds at
   * most {@code maxBytes} plus one chunk of log in memory, however far behind it is.
   */
  public ChunkPage readPage(
      long runId, String step, long afterSeq, long upToSeq, int limit, long maxBytes) {
    // octet_length of a TOASTed value comes from its header: chunks past the budget are counted,
    // never loaded
    int[] candidates = new int[1];
    List<LogChunk> chunks =
        jdbc.sql(
                """
                SELECT seq, step, byte_offset, data, created_at, candidates
                  FROM (SELECT seq, step, byte_offset, data, created_at,
                               sum(octet_length(data)) OVER (ORDER BY seq) AS bytes_through,
                               row_number() OVER (ORDER BY seq) AS n,
                               count(*) OVER () AS candidates
                          FROM (SELECT seq, step, byte_offset, data, created_at
                                  FROM run_log_chunks
                                 WHERE run_id = :runId AND seq > :after AND seq <= :upTo
                                   AND (CAST(:step AS text) IS NULL OR step = :step)
                                 ORDER BY seq
                                 LIMIT :limit) candidate) page
                 WHERE n = 1 OR bytes_through <= :maxBytes
                 ORDER BY seq
                """)
            .param("runId", runId)
            .param("after", afterSeq)
            .param("upTo", upToSeq)
            .param("step", step, Types.VARCHAR)
            .param("limit", limit)
            .param("maxBytes", maxBytes)
            .query(
                (rs, row) -> {
                  candidates[0] = rs.getInt("candidates");
                  return map(rs, row);
                })
            .list();
    boolean more = candidates[0] == limit || chunks.size() < candidates[0];
    return new ChunkPage(chunks, more);
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

  /**
   * The run's log counters ({@code runs.log_*}), with the run row locked until the transaction
   * ends, so concurrent batches of one run are counted one after the other; and whether its log is
   * followed ({@link #markFollowed}).
   *
   * @return empty when the run does not exist
   */
  public Optional<LockedLog> lockBudget(long runId) {
    return jdbc.sql(
            """
            SELECT log_bytes, log_bytes_dropped, log_truncated_seq, log_dropped_seq,
                   coalesce(log_followed_until > now(), false) AS followed
              FROM runs WHERE id = :runId
               FOR UPDATE
            """)
        .param("runId", runId)
        .query(
            (rs, row) ->
                new LockedLog(
                    new LogBudget(
                        rs.getLong("log_bytes"),
                        rs.getLong("log_bytes_dropped"),
                        rs.getObject("log_truncated_seq", Long.class),
                        rs.getObject("log_dropped_seq", Long.class)),
                    rs.getBoolean("followed")))
        .optional();
  }

  /**
   * Someone follows these runs' logs live, for {@code lease} from now: renewed while they do, by
   * every api instance for the streams it holds. A lease never shortens; a run that has ended is
   * left alone (its record is final). A run whose row another transaction holds (a log batch, an
   * artifact upload to S3) is skipped rather than waited for: the lease outlasts one renewal.
   */
  public void markFollowed(Collection<Long> runIds, Duration lease) {
    if (runIds.isEmpty()) {
      return;
    }
    jdbc.sql(
            """
            UPDATE runs SET log_followed_until = now() + make_interval(secs => :seconds)
             WHERE id IN (SELECT id FROM runs
                           WHERE id = ANY(:ids) AND result = 'building'
                             AND (log_followed_until IS NULL
                                  OR log_followed_until < now() + make_interval(secs => :seconds))
                             FOR NO KEY UPDATE SKIP LOCKED)
            """)
        .param("ids", runIds.toArray(Long[]::new))
        .param("seconds", lease.toMillis() / 1000.0)
        .update();
  }

  /** A run's log counters, locked, and whether anyone follows its log now. */
  public record LockedLog(LogBudget budget, boolean followed) {}

  public void saveBudget(long runId, LogBudget budget) {
    jdbc.sql(
            """
            UPDATE runs
               SET log_bytes = :bytes, log_bytes_dropped = :dropped,
                   log_truncated_seq = :truncatedSeq, log_dropped_seq = :droppedSeq
             WHERE id = :runId
            """)
        .param("runId", runId)
        .param("bytes", budget.storedBytes())
        .param("dropped", budget.droppedBytes())
        .param("truncatedSeq", budget.truncatedSeq(), Types.BIGINT)
        .param("droppedSeq", budget.droppedSeq(), Types.BIGINT)
        .update();
  }

  /** Bytes of the run's log refused by the cap; 0 for an unknown run. */
  public long droppedBytes(long runId) {
    return jdbc.sql("SELECT log_bytes_dropped FROM runs WHERE id = :runId")
        .param("runId", runId)
        .query(Long.class)
        .optional()
        .orElse(0L);
  }

  /** Which of {@code seqs} the run has stored already. */
  public Set<Long> existingSeqs(long runId, Collection<Long> seqs) {
    if (seqs.isEmpty()) {
      return Set.of();
    }
    return new HashSet<>(
        jdbc.sql("SELECT seq FROM run_log_chunks WHERE run_id = :runId AND seq = ANY(:seqs)")
            .param("runId", runId)
            .param("seqs", seqs.toArray(Long[]::new))
            .query(Long.class)
            .list());
  }

  /** Rewrites a stored chunk; only the api's own truncation line is ever rewritten. */
  public void replaceData(long runId, long seq, byte[] data) {
    jdbc.sql("UPDATE run_log_chunks SET data = :data WHERE run_id = :runId AND seq = :seq")
        .param("runId", runId)
        .param("seq", seq)
        .param("data", data, Types.BINARY)
        .update();
  }

  /** The bytes of the step's last chunk before {@code beforeSeq}, if it has one. */
  public Optional<byte[]> previousData(long runId, String step, long beforeSeq) {
    return jdbc.sql(
            """
            SELECT data FROM run_log_chunks
             WHERE run_id = :runId AND step = :step AND seq < :before
             ORDER BY seq DESC
             LIMIT 1
            """)
        .param("runId", runId)
        .param("step", step)
        .param("before", beforeSeq)
        .query((rs, row) -> rs.getBytes("data"))
        .optional();
  }

  /**
   * A run's log counters.
   *
   * @param storedBytes bytes of worker output stored (the truncation line is not counted)
   * @param droppedBytes bytes refused once the cap was reached
   * @param truncatedSeq seq of the truncation line, or {@code null} while under the cap
   * @param droppedSeq the highest seq counted in {@code droppedBytes}, or {@code null}
   */
  public record LogBudget(long storedBytes, long droppedBytes, Long truncatedSeq, Long droppedSeq) {

    public boolean truncated() {
      return truncatedSeq != null;
    }
  }

  private static LogChunk map(ResultSet rs, int row) throws SQLException {
    return new LogChunk(
        rs.getLong("seq"),
        rs.getString("step"),
        rs.getLong("byte_offset"),
        rs.getObject("created_at", OffsetDateTime.class).toInstant(),
        rs.getBytes("data"));
  }
}
