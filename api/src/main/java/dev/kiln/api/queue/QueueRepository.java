package dev.kiln.api.queue;

import dev.kiln.workflows.internal.InternalBodies.LabelledQueue;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The waiting and building runs of an architecture, read from the run ledger. */
@Repository
public class QueueRepository {

  /** Temporal hands out waiting fetches by priority key, then in the order they were queued. */
  private static final String RANK =
      "CASE %s.priority WHEN 'urgent' THEN 1 WHEN 'high' THEN 2 WHEN 'normal' THEN 3 ELSE 4 END";

  private final JdbcClient jdbc;

  public QueueRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  ArchCounts counts(String arch) {
    return jdbc.sql(
            """
            SELECT count(*) FILTER (WHERE phase = 'queued') AS queued,
                   count(*) FILTER (WHERE phase <> 'queued') AS building,
                   min(queued_at) FILTER (WHERE phase = 'queued') AS oldest_at,
                   extract(epoch FROM now() - min(queued_at) FILTER (WHERE phase = 'queued'))
                       AS oldest_wait
              FROM runs
             WHERE arch = :arch AND result = 'building'
            """)
        .param("arch", arch)
        .query(
            (rs, n) -> {
              java.sql.Timestamp oldest = rs.getTimestamp("oldest_at");
              return new ArchCounts(
                  rs.getInt("queued"),
                  rs.getInt("building"),
                  oldest == null ? null : oldest.toInstant(),
                  oldest == null ? null : (long) Math.floor(rs.getDouble("oldest_wait")),
                  null);
            })
        .single()
        .withOldestRun(oldestQueuedRun(arch));
  }

  private Long oldestQueuedRun(String arch) {
    return jdbc.sql(
            """
            SELECT id FROM runs
             WHERE arch = :arch AND phase = 'queued' AND result = 'building'
             ORDER BY queued_at, id
             LIMIT 1
            """)
        .param("arch", arch)
        .query(Long.class)
        .optional()
        .orElse(null);
  }

  /**
   * The label sets of runs waiting for a fetch (queued, or fetching again after a lost host or a
   * failed attempt) of one of {@code archs} that a host with {@code labels} satisfies: the labelled
   * queues such a host should poll.
   */
  public List<LabelledQueue> wantedLabelledQueues(List<String> archs, List<String> labels) {
    return jdbc.sql(
            """
            SELECT DISTINCT arch, requires
              FROM runs
             WHERE result = 'building' AND phase IN ('queued', 'fetching')
               AND cardinality(requires) > 0
               AND arch = ANY (CAST(:archs AS text[])) AND requires <@ CAST(:labels AS text[])
            """)
        .param("archs", archs.toArray(String[]::new))
        .param("labels", labels.toArray(String[]::new))
        .query(
            (rs, n) ->
                new LabelledQueue(
                    rs.getString("arch"), List.of((String[]) rs.getArray("requires").getArray())))
        .list();
  }

  /** Queued runs of the run's arch that Temporal serves before it. */
  int aheadOf(long runId) {
    String sql =
        """
        SELECT count(*)
          FROM runs r
          JOIN runs o ON o.arch = r.arch AND o.id <> r.id
         WHERE r.id = :id
           AND o.phase = 'queued' AND o.result = 'building'
           AND (%s < %s OR (%s = %s AND (o.queued_at, o.id) < (r.queued_at, r.id)))
        """
            .formatted(rank("o"), rank("r"), rank("o"), rank("r"));
    return jdbc.sql(sql).param("id", runId).query(Integer.class).single();
  }

  private static String rank(String alias) {
    return RANK.formatted(alias);
  }

  /**
   * @param queued runs waiting for a worker to start their fetch
   * @param building runs past that, until they end
   * @param oldestQueuedAt when the longest-waiting run was queued; null when none waits
   * @param oldestWaitSeconds how long it has waited, by the database's clock
   */
  record ArchCounts(
      int queued, int building, Instant oldestQueuedAt, Long oldestWaitSeconds, Long oldestRunId) {

    ArchCounts withOldestRun(Long runId) {
      return new ArchCounts(queued, building, oldestQueuedAt, oldestWaitSeconds, runId);
    }
  }
}
