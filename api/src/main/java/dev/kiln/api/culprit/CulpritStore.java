package dev.kiln.api.culprit;

import dev.kiln.workflows.culprit.BisectReport;
import dev.kiln.workflows.culprit.Culprit;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Bisections and bisect builds: {@code run_bisects} and {@code runs.bisect_of}. */
@Repository
public class CulpritStore {

  private final JdbcClient jdbc;

  public CulpritStore(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** A run's verdict as the culprit finder reads it. */
  public record Verdict(long runId, String result, String sha) {}

  /** The lane's latest run before {@code runId} that passed or failed, bisect builds aside. */
  public Optional<Verdict> previousVerdict(String lane, long runId) {
    return jdbc.sql(
            """
            SELECT id, result, sha FROM runs
             WHERE lane = :lane AND id < :runId AND result IN ('passed', 'failed')
               AND bisect_of IS NULL
             ORDER BY id DESC LIMIT 1
            """)
        .param("lane", lane)
        .param("runId", runId)
        .query(
            (rs, row) -> new Verdict(rs.getLong("id"), rs.getString("result"), rs.getString("sha")))
        .optional();
  }

  /** The lane's first run after {@code runId} that passed, bisect builds aside. */
  public OptionalLong laterPass(String lane, long runId) {
    return jdbc.sql(
            """
            SELECT id FROM runs
             WHERE lane = :lane AND id > :runId AND result = 'passed' AND bisect_of IS NULL
             ORDER BY id LIMIT 1
            """)
        .param("lane", lane)
        .param("runId", runId)
        .query(Long.class)
        .optional()
        .map(OptionalLong::of)
        .orElse(OptionalLong.empty());
  }

  /** The failed runs of {@code lane} whose bisection is still running. */
  public List<Long> runningInLane(String lane) {
    return jdbc.sql(
            """
            SELECT b.run_id FROM run_bisects b JOIN runs r ON r.id = b.run_id
             WHERE r.lane = :lane AND b.status = 'running'
             ORDER BY b.run_id
            """)
        .param("lane", lane)
        .query(Long.class)
        .list();
  }

  /** Marks run {@code runId} as a bisect build of {@code failingRunId}. */
  public void markBisectBuild(long runId, long failingRunId) {
    jdbc.sql("UPDATE runs SET bisect_of = :failing WHERE id = :id")
        .param("failing", failingRunId)
        .param("id", runId)
        .update();
  }

  /** The run a bisect build bisects; empty for any other run. */
  public OptionalLong bisectOf(long runId) {
    // run ids start at 1: 0 stands for none, as a NULL would not come through optional()
    return jdbc.sql("SELECT coalesce(bisect_of, 0) FROM runs WHERE id = :id")
        .param("id", runId)
        .query(Long.class)
        .optional()
        .filter(of -> of != 0)
        .map(OptionalLong::of)
        .orElse(OptionalLong.empty());
  }

  /** The labels a run required of its build host. */
  public List<String> requires(long runId) {
    return jdbc.sql("SELECT requires FROM runs WHERE id = :id")
        .param("id", runId)
        .query((rs, row) -> textArray(rs, "requires"))
        .optional()
        .orElse(List.of());
  }

  /** The failed tests of one gate of a run, as {@code suite.name} (or the name alone). */
  public List<String> failedTests(long runId, String gate) {
    return jdbc.sql(
            """
            SELECT CASE WHEN suite IS NULL OR suite = '' THEN name ELSE suite || '.' || name END
              FROM test_results
             WHERE run_id = :runId AND gate = :gate AND status = 'failed'
             ORDER BY ordinal
            """)
        .param("runId", runId)
        .param("gate", gate)
        .query(String.class)
        .list();
  }

  /** Keeps the latest report of the bisection of {@code failingRunId}. */
  public void save(long failingRunId, BisectReport report) {
    Culprit culprit = report.culprit();
    jdbc.sql(
            """
            INSERT INTO run_bisects (run_id, status, note, commits, builds, budget, culprit_sha,
                                     culprit_author, culprit_subject, culprit_run_id)
            VALUES (:runId, :status, :note, :commits, :builds, :budget, :sha, :author, :subject,
                    :culpritRunId)
            ON CONFLICT (run_id) DO UPDATE
               SET status = EXCLUDED.status, note = EXCLUDED.note, commits = EXCLUDED.commits,
                   builds = EXCLUDED.builds, budget = EXCLUDED.budget,
                   culprit_sha = EXCLUDED.culprit_sha, culprit_author = EXCLUDED.culprit_author,
                   culprit_subject = EXCLUDED.culprit_subject,
                   culprit_run_id = EXCLUDED.culprit_run_id, updated_at = now()
            """)
        .param("runId", failingRunId)
        .param("status", report.status())
        .param("note", report.note())
        .param("commits", report.commits())
        .param("builds", report.builds())
        .param("budget", report.budget())
        .param("sha", culprit == null ? null : culprit.sha(), Types.VARCHAR)
        .param("author", culprit == null ? null : culprit.author(), Types.VARCHAR)
        .param("subject", culprit == null ? null : culprit.subject(), Types.VARCHAR)
        .param("culpritRunId", culprit == null ? null : culprit.runId(), Types.BIGINT)
        .update();
  }

  /** The latest report of the bisection of {@code failingRunId}, if it was ever bisected. */
  public Optional<BisectReport> find(long failingRunId) {
    return jdbc.sql(
            """
            SELECT status, note, commits, builds, budget, culprit_sha, culprit_author,
                   culprit_subject, culprit_run_id
              FROM run_bisects WHERE run_id = :runId
            """)
        .param("runId", failingRunId)
        .query((rs, row) -> report(rs))
        .optional();
  }

  /** What {@code run_id}'s view says of bisection: {@link BisectView}. */
  public BisectView view(long runId) {
    return BisectView.of(
        bisectOf(runId).stream().boxed().findFirst().orElse(null), find(runId).orElse(null));
  }

  /**
   * What a run that has not ended says of bisection: only whether it is a bisection's build. Its
   * own bisection cannot have started yet (it starts from a failed run).
   */
  public BisectView probeView(long runId) {
    return BisectView.of(bisectOf(runId).stream().boxed().findFirst().orElse(null), null);
  }

  private static BisectReport report(ResultSet rs) throws SQLException {
    String sha = rs.getString("culprit_sha");
    Long culpritRun = rs.getObject("culprit_run_id", Long.class);
    Culprit culprit =
        sha == null
            ? null
            : new Culprit(
                sha,
                rs.getString("culprit_author"),
                rs.getString("culprit_subject"),
                culpritRun == null ? 0 : culpritRun);
    return new BisectReport(
        rs.getString("status"),
        rs.getString("note"),
        rs.getInt("commits"),
        rs.getInt("builds"),
        rs.getInt("budget"),
        culprit);
  }

  private static List<String> textArray(ResultSet rs, String column) throws SQLException {
    java.sql.Array array = rs.getArray(column);
    return array == null ? List.of() : Arrays.asList((String[]) array.getArray());
  }
}
