package dev.kiln.api.runs;

import dev.kiln.api.auth.RepoPatterns;
import dev.kiln.workflows.Phase;
import dev.kiln.workflows.Result;
import dev.kiln.workflows.rebuild.RebuildWorkflow;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code runs} table. Every write after the insert is guarded by {@code result = 'building'}:
 * once a run has a terminal result, the ledger no longer changes it, whatever arrives late.
 */
@Repository
public class RunRepository {

  /**
   * {@code cancelled_by} of a run cancelled without {@code PUT /build-jobs/{id}/cancel}: a cancel
   * request made in Temporal itself, from its Web UI or CLI.
   */
  public static final String CANCELLED_IN_TEMPORAL = "temporal";

  /**
   * Failure summaries are capped so run views stay readable (600 characters, as the api README
   * says).
   */
  public static final int FAILURE_SUMMARY_MAX = 600;

  /**
   * The channel a phase change or terminal write notifies, with the run id as payload, for log
   * followers (SSE) in any api replica. Log chunks use {@code LogChunkRepository.CHANNEL}.
   */
  public static final String STATE_CHANNEL = "kiln_run_state";

  /** The run's columns, for statements that read runs; {@code elapsed_s} grows while it builds. */
  static final String COLUMNS =
      """
      id, repo, ref, branch, sha, arch, lane, mr, priority, supersede, version, phase, result,
      failure_summary, superseded_by, cancelled_by, workflow_id, temporal_run_id, host,
      plan_origin, idempotency_key, target, args, queued_at, started_at, finished_at, triggered_by,
      retry_of, retried_automatically, flaky,
      floor(extract(epoch FROM coalesce(finished_at, now()) - queued_at))::bigint AS elapsed_s
      """;

  private static final RowMapper<RunRecord> MAPPER = RunRepository::map;

  private final JdbcClient jdbc;

  public RunRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * Records a queued run, with the id of the workflow that will build it ({@code kiln-run-<id>}):
   * one statement, as this is on the path of every {@code POST /rebuild}.
   *
   * @return the new id, or empty when a run with the same idempotency key exists already (the
   *     unique constraint decides, so two racing requests cannot both insert)
   */
  public Optional<Long> insert(NewRun run) {
    return insert(run, null);
  }

  /**
   * As {@link #insert(NewRun)}, recording who asked.
   *
   * @param triggeredBy the caller's name ({@code triggered_by})
   */
  public Optional<Long> insert(NewRun run, String triggeredBy) {
    return insert(run, triggeredBy, false);
  }

  /**
   * Records the automatic retry of run {@code run.retryOf()}, unless it has one already.
   *
   * @return the new id, or empty when the run was retried automatically before (a unique index
   *     decides, so two api replicas or two reports of the same end cannot both insert)
   */
  public Optional<Long> insertAutomaticRetry(NewRun run, String triggeredBy) {
    if (run.retryOf() == null) {
      throw new IllegalArgumentException("an automatic retry must name the run it retries");
    }
    return insert(run, triggeredBy, true);
  }

  private Optional<Long> insert(NewRun run, String triggeredBy, boolean automaticRetry) {
    // no conflict target: the idempotency key's and the one-automatic-retry index's both apply
    return jdbc.sql(
            """
            INSERT INTO runs (id, workflow_id, repo, ref, branch, arch, lane, mr, priority,
                              supersede, target, args, idempotency_key, triggered_by, retry_of,
                              requires, retried_automatically)
            OVERRIDING SYSTEM VALUE
            SELECT next.id, :workflowIdPrefix || next.id, :repo, CAST(:ref AS text),
                   CAST(:branch AS text), :arch, :lane, CAST(:mr AS text), :priority, :supersede,
                   CAST(:target AS text), CAST(:args AS text[]), CAST(:idempotencyKey AS text),
                   CAST(:triggeredBy AS text), CAST(:retryOf AS bigint),
                   CAST(:requires AS text[]), :automaticRetry
              FROM (SELECT nextval(pg_get_serial_sequence('runs', 'id')) AS id) next
            ON CONFLICT DO NOTHING
            RETURNING id
            """)
        .param("automaticRetry", automaticRetry)
        .param("workflowIdPrefix", RebuildWorkflow.WORKFLOW_ID_PREFIX)
        .param("repo", run.repo())
        .param("ref", run.ref())
        .param("branch", run.branch(), java.sql.Types.VARCHAR)
        .param("arch", run.arch())
        .param("lane", run.lane())
        .param("mr", run.mr())
        .param("priority", run.priority().wireName())
        .param("supersede", run.supersede())
        .param("target", run.target())
        .param("args", run.args().toArray(String[]::new))
        .param("idempotencyKey", run.idempotencyKey())
        .param("triggeredBy", triggeredBy, java.sql.Types.VARCHAR)
        .param("retryOf", run.retryOf(), java.sql.Types.BIGINT)
        .param("requires", run.requires().toArray(String[]::new))
        .query(Long.class)
        .optional();
  }

  public Optional<RunRecord> find(long id) {
    return jdbc.sql("SELECT " + COLUMNS + " FROM runs WHERE id = :id")
        .param("id", id)
        .query(MAPPER)
        .optional();
  }

  /** The run Kiln started by itself to retry run {@code id}, if it did. */
  public Optional<RunRecord> automaticRetryOf(long id) {
    return jdbc.sql(
            "SELECT " + COLUMNS + " FROM runs WHERE retry_of = :id AND retried_automatically")
        .param("id", id)
        .query(MAPPER)
        .optional();
  }

  /** The runs that retry run {@code id}, oldest first. */
  public List<RunRecord> retriesOf(long id) {
    return jdbc.sql("SELECT " + COLUMNS + " FROM runs WHERE retry_of = :id ORDER BY id")
        .param("id", id)
        .query(MAPPER)
        .list();
  }

  /** The newest retry of each of {@code ids} that has one, by the id of the run it retries. */
  public Map<Long, RunRecord> newestRetriesOf(List<Long> ids) {
    Map<Long, RunRecord> newest = new HashMap<>();
    if (ids.isEmpty()) {
      return newest;
    }
    jdbc.sql(
            "SELECT "
                + COLUMNS
                + """
                 FROM (SELECT DISTINCT ON (retry_of) * FROM runs
                        WHERE retry_of = ANY(:ids) ORDER BY retry_of, id DESC) retries
                """)
        .param("ids", ids.toArray(Long[]::new))
        .query(MAPPER)
        .list()
        .forEach(retry -> newest.put(retry.retryOf(), retry));
    return newest;
  }

  /** Whether the lane was asked for a run after run {@code id}. */
  public boolean hasNewerRunInLane(String lane, long id) {
    return jdbc.sql("SELECT EXISTS (SELECT 1 FROM runs WHERE lane = :lane AND id > :id)")
        .param("lane", lane)
        .param("id", id)
        .query(Boolean.class)
        .single();
  }

  /**
   * Marks a passed run flaky. The one write after a run's end, made in the transaction of that end
   * ({@code RunEndings}), before anyone could read the finished run.
   */
  public void markFlaky(long id) {
    jdbc.sql("UPDATE runs SET flaky = true WHERE id = :id AND result = 'passed'")
        .param("id", id)
        .update();
  }

  public Optional<RunRecord> findByIdempotencyKey(String key) {
    return jdbc.sql("SELECT " + COLUMNS + " FROM runs WHERE idempotency_key = :key")
        .param("key", key)
        .query(MAPPER)
        .optional();
  }

  /** The runs of these lanes that have not ended yet, oldest first. */
  public List<RunRecord> unfinishedInLanes(List<String> lanes) {
    return jdbc.sql(
            "SELECT "
                + COLUMNS
                + " FROM runs WHERE lane = ANY(:lanes) AND result = 'building' ORDER BY id")
        .param("lanes", lanes.toArray(String[]::new))
        .query(MAPPER)
        .list();
  }

  /** The run's repository, for checking a caller's access; empty for an unknown run. */
  public Optional<String> repoOf(long id) {
    return jdbc.sql("SELECT repo FROM runs WHERE id = :id")
        .param("id", id)
        .query(String.class)
        .optional();
  }

  public boolean exists(long id) {
    return jdbc.sql("SELECT EXISTS (SELECT 1 FROM runs WHERE id = :id)")
        .param("id", id)
        .query(Boolean.class)
        .single();
  }

  /**
   * Adds {@code labels} to those the run requires, each once; a run that has ended keeps what it
   * had.
   */
  public void addRequires(long id, List<String> labels) {
    jdbc.sql(
            """
            UPDATE runs
               SET requires = requires || ARRAY(SELECT unnest(CAST(:labels AS text[]))
                                                EXCEPT SELECT unnest(requires))
             WHERE id = :id AND result = 'building'
            """)
        .param("id", id)
        .param("labels", labels.toArray(String[]::new))
        .update();
  }

  /** The labels run {@code id} required of its build host: asked for, and from its kiln.yaml. */
  public List<String> requiresOf(long id) {
    return jdbc.sql("SELECT requires FROM runs WHERE id = :id")
        .param("id", id)
        .query((rs, n) -> List.of((String[]) rs.getArray("requires").getArray()))
        .optional()
        .orElse(List.of());
  }

  /**
   * How long after its terminal write a run counts as over for the build host that holds its
   * workspace. A run's result is written before its cleanup activity runs, which follows within
   * milliseconds and keeps the workspace warm for the lane's next build; a host told of the end in
   * between would remove that workspace as left behind.
   */
  public static final Duration ENDED_FOR_HOSTS_AFTER = Duration.ofSeconds(2);

  /**
   * The runs among {@code ids} that are over for the build host holding them: those whose terminal
   * result is at least {@link #ENDED_FOR_HOSTS_AFTER} old, and ids the ledger does not know (a
   * build host holding a workspace for a run of a database since reset).
   */
  public List<Long> endedAmong(List<Long> ids) {
    if (ids.isEmpty()) {
      return List.of();
    }
    return jdbc.sql(
            """
            SELECT id FROM unnest(:ids) AS asked(id)
             WHERE NOT EXISTS (SELECT 1 FROM runs
                                WHERE runs.id = asked.id
                                  AND (runs.result = 'building'
                                       OR runs.finished_at > now() - make_interval(secs => :grace)))
             ORDER BY id
            """)
        .param("ids", ids.toArray(Long[]::new))
        .param("grace", (double) ENDED_FOR_HOSTS_AFTER.toMillis() / 1000)
        .query(Long.class)
        .list();
  }

  /** Newest first, at most {@code limit} runs. */
  public List<RunRecord> list(RunFilter filter, int limit) {
    return list(filter, RepoPatterns.any(), limit);
  }

  /** As {@link #list(RunFilter, int)}, of the repositories {@code visible} only. */
  public List<RunRecord> list(RunFilter filter, RepoPatterns visible, int limit) {
    List<String> where = new ArrayList<>();
    Map<String, Object> params = new LinkedHashMap<>();
    if (!visible.matchesAny()) {
      // the same rule as RepoPatterns.matches, in PostgreSQL's regular expressions
      where.add("(repo ~ ANY(:visible) AND repo !~ :ambiguous)");
      params.put("visible", visible.regexes().toArray(String[]::new));
      params.put("ambiguous", RepoPatterns.AMBIGUOUS);
    }
    if (filter.repo() != null) {
      where.add("repo = :repo");
      params.put("repo", filter.repo());
    }
    if (filter.branch() != null) {
      where.add("coalesce(branch, ref) = :branch");
      params.put("branch", filter.branch());
    }
    if (filter.mr() != null) {
      where.add("mr = :mr");
      params.put("mr", filter.mr());
    }
    if (filter.arch() != null) {
      where.add("arch = :arch");
      params.put("arch", filter.arch());
    }
    if (filter.result() != null) {
      where.add("result = :result");
      params.put("result", filter.result().wireName());
    }
    if (filter.since() != null) {
      where.add("queued_at >= :since");
      params.put("since", OffsetDateTime.ofInstant(filter.since(), java.time.ZoneOffset.UTC));
    }
    if (filter.before() != null) {
      where.add("id < :before");
      params.put("before", filter.before());
    }
    params.put("limit", limit);
    String sql =
        "SELECT "
            + COLUMNS
            + " FROM runs"
            + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
            + " ORDER BY id DESC LIMIT :limit";
    return jdbc.sql(sql).params(params).query(MAPPER).list();
  }

  /** The newest run of every lane, newest first (runs_lane_id_idx serves the DISTINCT ON). */
  public List<RunRecord> latestPerLane() {
    return jdbc.sql(
            "SELECT "
                + COLUMNS
                + """
                 FROM (SELECT DISTINCT ON (lane) * FROM runs ORDER BY lane, id DESC) latest
                ORDER BY id DESC
                """)
        .query(MAPPER)
        .list();
  }

  /**
   * Temporal accepted the workflow; remember its run id for links and describe calls. Like every
   * write after the insert, it leaves a run that has already ended (within the milliseconds since
   * the start) as it is: a finished run never changes.
   */
  public void recordStarted(long id, String temporalRunId) {
    jdbc.sql("UPDATE runs SET temporal_run_id = :runId WHERE id = :id AND result = 'building'")
        .param("id", id)
        .param("runId", temporalRunId)
        .update();
  }

  /**
   * Ends a run whose workflow could not be started. The idempotency key is released: the client got
   * a 503, and retrying with the same key must be able to start a build.
   */
  public boolean failToStart(long id, String failureSummary) {
    return notifyIf(
        id,
        jdbc.sql(
                    """
                UPDATE runs
                   SET result = 'failed', phase = 'done', finished_at = now(),
                       failure_summary = :summary, idempotency_key = NULL
                 WHERE id = :id AND result = 'building'
                """)
                .param("id", id)
                .param("summary", cap(failureSummary))
                .update()
            == 1);
  }

  /**
   * Moves a building run to {@code phase}; the first phase after {@code queued} stamps {@code
   * started_at}. {@code fetching} moves only a {@code queued} run: the host reports it without
   * waiting for the answer, so it can arrive after the workflow's report of a later phase.
   *
   * @return false when the run is terminal (or missing), or {@code fetching} came late, and nothing
   *     changed
   */
  public boolean updatePhase(long id, Phase phase) {
    return notifyIf(
        id,
        jdbc.sql(
                    """
                UPDATE runs
                   SET phase = :phase,
                       started_at = CASE WHEN :phase = 'queued' THEN started_at
                                         ELSE coalesce(started_at, now()) END
                 WHERE id = :id AND result = 'building'
                   AND (:phase <> 'fetching' OR phase = 'queued')
                """)
                .param("id", id)
                .param("phase", phase.wireName())
                .update()
            == 1);
  }

  /**
   * @return false when the run is terminal (or missing), and nothing changed
   */
  public boolean recordResolved(
      long id, String sha, String branch, String version, String host, String planOrigin) {
    return jdbc.sql(
                """
                UPDATE runs
                   SET sha = :sha, branch = coalesce(CAST(:branch AS text), branch), version = :version,
                       host = :host,
                       plan_origin = :planOrigin
                 WHERE id = :id AND result = 'building'
                """)
            .param("id", id)
            .param("sha", sha)
            .param("branch", branch, java.sql.Types.VARCHAR)
            .param("version", version)
            .param("host", host)
            .param("planOrigin", planOrigin)
            .update()
        == 1;
  }

  /**
   * Records the terminal result. One statement, guarded by {@code result = 'building'}, so of two
   * concurrent finishes exactly one applies: PostgreSQL re-checks the guard on the row the second
   * one waited for.
   *
   * @return whether this write applied; false when the run already had a terminal result
   */
  public boolean finish(long id, Result result, String failureSummary) {
    return finish(id, result, failureSummary, null);
  }

  /**
   * As {@link #finish(long, Result, String)}, also recording the run that replaced this one.
   *
   * @param supersededBy the newer run of the lane, or {@code null}
   */
  public boolean finish(long id, Result result, String failureSummary, Long supersededBy) {
    if (!result.isTerminal()) {
      throw new IllegalArgumentException("not a terminal result: " + result);
    }
    return notifyIf(
        id,
        jdbc.sql(
                    """
                UPDATE runs
                   SET result = :result, phase = 'done', finished_at = now(),
                       failure_summary = :summary,
                       superseded_by = coalesce(:supersededBy, superseded_by),
                       -- a cancel request that lost to another ending is not the run's story;
                       -- a cancel nobody asked the api for came from Temporal (Web UI, CLI)
                       cancelled_by = CASE WHEN :result = 'cancelled'
                                           THEN coalesce(cancelled_by, :temporal) END
                 WHERE id = :id AND result = 'building'
                """)
                .param("id", id)
                .param("supersededBy", supersededBy, java.sql.Types.BIGINT)
                .param("result", result.wireName())
                .param("summary", cap(failureSummary))
                .param("temporal", CANCELLED_IN_TEMPORAL)
                .update()
            == 1);
  }

  /**
   * Records who asked to cancel a building run ({@code PUT /build-jobs/{id}/cancel}). The first
   * request's value stays; the run keeps phase and result until its workflow writes {@code
   * cancelled}.
   *
   * @return false when the run is terminal (or missing), and nothing changed
   */
  public boolean requestCancel(long id, String cancelledBy) {
    return jdbc.sql(
                """
                UPDATE runs SET cancelled_by = coalesce(cancelled_by, :by)
                 WHERE id = :id AND result = 'building'
                """)
            .param("id", id)
            .param("by", cancelledBy)
            .update()
        == 1;
  }

  /** Runs past the queue that have not ended, counted by arch (archs with none are absent). */
  public Map<String, Long> buildingByArch() {
    Map<String, Long> counts = new HashMap<>();
    jdbc.sql(
            """
            SELECT arch, count(*) AS building
              FROM runs
             WHERE result = 'building' AND phase <> 'queued'
             GROUP BY arch
            """)
        .query(
            rs -> {
              counts.put(rs.getString("arch"), rs.getLong("building"));
            });
    return counts;
  }

  /**
   * Tells log followers that the run's phase or result changed. Sent after the update committed (or
   * with it, inside a transaction); if the api dies in between, followers still see the change at
   * their next heartbeat, which re-reads the run.
   */
  private boolean notifyIf(long id, boolean changed) {
    if (changed) {
      jdbc.sql("SELECT pg_notify(:channel, :payload)")
          .param("channel", STATE_CHANNEL)
          .param("payload", Long.toString(id))
          .query(Object.class)
          .optional();
    }
    return changed;
  }

  /** Cuts to {@value #FAILURE_SUMMARY_MAX} characters (code points, as PostgreSQL counts). */
  public static String cap(String summary) {
    if (summary == null) {
      return null;
    }
    String clean = summary.replace('\0', '\uFFFD');
    if (clean.codePointCount(0, clean.length()) <= FAILURE_SUMMARY_MAX) {
      return clean;
    }
    int end = clean.offsetByCodePoints(0, FAILURE_SUMMARY_MAX - 1);
    return clean.substring(0, end) + "…";
  }

  static RunRecord map(ResultSet rs, int row) throws SQLException {
    long supersededBy = rs.getLong("superseded_by");
    Long superseded = rs.wasNull() ? null : supersededBy;
    return new RunRecord(
        rs.getLong("id"),
        rs.getString("repo"),
        rs.getString("ref"),
        rs.getString("branch"),
        rs.getString("sha"),
        rs.getString("arch"),
        rs.getString("lane"),
        rs.getString("mr"),
        rs.getString("priority"),
        rs.getBoolean("supersede"),
        rs.getString("version"),
        Phase.fromWireName(rs.getString("phase")),
        Result.fromWireName(rs.getString("result")),
        rs.getString("failure_summary"),
        superseded,
        rs.getString("cancelled_by"),
        rs.getString("workflow_id"),
        rs.getString("temporal_run_id"),
        rs.getString("host"),
        rs.getString("plan_origin"),
        rs.getString("idempotency_key"),
        rs.getString("target"),
        strings(rs.getArray("args")),
        instant(rs, "queued_at"),
        instant(rs, "started_at"),
        instant(rs, "finished_at"),
        rs.getLong("elapsed_s"),
        rs.getString("triggered_by"),
        rs.getObject("retry_of", Long.class),
        rs.getBoolean("retried_automatically"),
        rs.getBoolean("flaky"));
  }

  static Instant instant(ResultSet rs, String column) throws SQLException {
    // a timestamptz is an instant: java.sql.Timestamp carries it whole (nanos included) and costs
    // a fraction of getObject(OffsetDateTime), which builds zone rules per value
    Timestamp value = rs.getTimestamp(column);
    return value == null ? null : value.toInstant();
  }

  private static List<String> strings(Array array) throws SQLException {
    if (array == null) {
      return List.of();
    }
    try {
      return List.of((String[]) array.getArray());
    } finally {
      array.free();
    }
  }
}
