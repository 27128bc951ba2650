package dev.kiln.api.queue;

import dev.kiln.workflows.internal.InternalBodies.LabelledQueue;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The waiting and building runs of an architecture, read from the run ledger. */
@Repository
public class QueueRepository {

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

  /**
   * The build queue run {@code runId} waits on: its arch and the labels it requires. Empty when the
   * run does not wait.
   */
  Optional<BuildQueue> queueOfWaiting(long runId) {
    return jdbc.sql(
            """
            SELECT arch, requires FROM runs
             WHERE id = :id AND phase = 'queued' AND result = 'building'
            """)
        .param("id", runId)
        .query((rs, n) -> new BuildQueue(rs.getString("arch"), labels(rs.getArray("requires"))))
        .optional();
  }

  /** The build queues of {@code arch} some run waits on: one per set of labels required. */
  List<BuildQueue> queuesWaitedOn(String arch) {
    return jdbc.sql(
            """
            SELECT DISTINCT ARRAY(SELECT DISTINCT l FROM unnest(requires) AS l ORDER BY l) AS labels
              FROM runs
             WHERE arch = :arch AND phase = 'queued' AND result = 'building'
            """)
        .param("arch", arch)
        .query((rs, n) -> new BuildQueue(arch, labels(rs.getArray("labels"))))
        .list();
  }

  /**
   * The runs on one build queue: those waiting now, and those queued since the longest-waiting one
   * was and handed to a host meanwhile, oldest first; at most {@link #MAX_QUEUE_ENTRIES}.
   */
  List<QueuedRun> queue(BuildQueue queue) {
    return jdbc.sql(
            """
            WITH mates AS (
                SELECT * FROM runs
                 WHERE arch = :arch
                   AND requires @> CAST(:labels AS text[]) AND requires <@ CAST(:labels AS text[])),
            since AS (
                SELECT min(queued_at) AS at FROM mates
                 WHERE phase = 'queued' AND result = 'building')
            SELECT id, repo, priority, queued_at,
                   CASE WHEN phase = 'queued' AND result = 'building' THEN NULL
                        ELSE started_at END AS started_at
              FROM mates, since
             WHERE (phase = 'queued' AND result = 'building')
                OR (queued_at >= since.at AND started_at IS NOT NULL)
             ORDER BY queued_at, id
             LIMIT :limit
            """)
        .param("arch", queue.arch())
        .param("labels", queue.labels().toArray(String[]::new))
        .param("limit", MAX_QUEUE_ENTRIES)
        .query(
            (rs, n) ->
                new QueuedRun(
                    rs.getLong("id"),
                    rs.getString("repo"),
                    rs.getString("priority"),
                    rs.getTimestamp("queued_at").toInstant(),
                    rs.getTimestamp("started_at") == null
                        ? null
                        : rs.getTimestamp("started_at").toInstant()))
        .list();
  }

  private static List<String> labels(java.sql.Array array) throws java.sql.SQLException {
    return array == null ? List.of() : List.of((String[]) array.getArray());
  }

  /** A build queue: runs of {@code arch} that require {@code labels} (sorted; none: the arch's). */
  record BuildQueue(String arch, List<String> labels) {

    BuildQueue {
      labels = List.copyOf(dev.kiln.workflows.WorkerLabels.canonical(labels));
    }
  }

  /** More than a build queue ever holds; bounds the work of one position. */
  static final int MAX_QUEUE_ENTRIES = 5000;

  /**
   * A run on a build queue, as the ledger has it.
   *
   * @param startedAt when a host took its fetch; {@code null} while it waits
   */
  record QueuedRun(long id, String repo, String priority, Instant queuedAt, Instant startedAt) {}

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
