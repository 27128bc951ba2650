package dev.kiln.api.runs;

import dev.kiln.workflows.activities.GateStatus;
import dev.kiln.workflows.activities.TestCounts;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code gate_runs} table: the gates of a run's plan, in order, with their outcomes. */
@Repository
public class GateRunRepository {

  private final JdbcClient jdbc;

  public GateRunRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** A gate declared by the plan: its name and whether its failure fails the run. */
  public record PlannedGate(String name, boolean required) {}

  /**
   * Replaces the run's gates with {@code gates}, all {@code pending}, in the given order. A run
   * restarted on another host re-resolves, and its gates start over, their tests with them.
   */
  public void replaceAll(long runId, List<PlannedGate> gates) {
    jdbc.sql("DELETE FROM gate_runs WHERE run_id = :runId").param("runId", runId).update();
    jdbc.sql("DELETE FROM test_results WHERE run_id = :runId").param("runId", runId).update();
    int ordinal = 0;
    for (PlannedGate gate : gates) {
      jdbc.sql(
              """
              INSERT INTO gate_runs (run_id, name, ordinal, required, status)
              VALUES (:runId, :name, :ordinal, :required, 'pending')
              """)
          .param("runId", runId)
          .param("name", gate.name())
          .param("ordinal", ordinal++)
          .param("required", gate.required())
          .update();
    }
  }

  /**
   * Moves a gate to {@code status}. A gate that reached an end status keeps it (a late or retried
   * update cannot reopen it) until the next {@link #replaceAll}; {@code running} stamps {@code
   * started_at}, an end status {@code finished_at}.
   *
   * @param runEnded whether the run already has a terminal result; then only end statuses apply
   * @return whether the gate exists
   */
  public boolean update(
      long runId,
      String name,
      GateStatus status,
      String summary,
      TestCounts tests,
      boolean runEnded) {
    if (runEnded && !isEnd(status)) {
      return exists(runId, name);
    }
    int updated =
        jdbc.sql(
                """
                UPDATE gate_runs
                   SET status = :status,
                       summary = coalesce(:summary, summary),
                       tests_total = coalesce(:total, tests_total),
                       tests_failed = coalesce(:failed, tests_failed),
                       tests_skipped = coalesce(:skipped, tests_skipped),
                       started_at = CASE WHEN :status = 'running' THEN coalesce(started_at, now())
                                         ELSE started_at END,
                       finished_at = CASE WHEN :end THEN coalesce(finished_at, now())
                                          ELSE finished_at END
                 WHERE run_id = :runId AND name = :name
                   AND status NOT IN ('passed', 'failed', 'blocked', 'skipped')
                """)
            .param("runId", runId)
            .param("name", name)
            .param("status", status.wireName())
            .param("summary", summary)
            .param("total", tests == null ? null : tests.total(), java.sql.Types.INTEGER)
            .param("failed", tests == null ? null : tests.failed(), java.sql.Types.INTEGER)
            .param("skipped", tests == null ? null : tests.skipped(), java.sql.Types.INTEGER)
            .param("end", isEnd(status))
            .update();
    return updated == 1 || exists(runId, name);
  }

  /**
   * When a run ends: gates it never reached become {@code skipped}, and a gate it was running
   * (cancelled, superseded, host lost for good) becomes {@code skipped} with its finish time.
   */
  public void closeUnfinished(long runId) {
    jdbc.sql(
            """
            UPDATE gate_runs
               SET status = 'skipped',
                   finished_at = CASE WHEN status = 'running' THEN now() ELSE finished_at END
             WHERE run_id = :runId AND status IN ('pending', 'running')
            """)
        .param("runId", runId)
        .update();
  }

  public List<GateRunRecord> findByRun(long runId) {
    return jdbc.sql("SELECT * FROM gate_runs WHERE run_id = :runId ORDER BY ordinal")
        .param("runId", runId)
        .query(GateRunRepository::map)
        .list();
  }

  public List<GateRunRecord> findByRuns(Collection<Long> runIds) {
    if (runIds.isEmpty()) {
      return List.of();
    }
    return jdbc.sql("SELECT * FROM gate_runs WHERE run_id = ANY(:runIds) ORDER BY run_id, ordinal")
        .param("runIds", runIds.toArray(Long[]::new))
        .query(GateRunRepository::map)
        .list();
  }

  private boolean exists(long runId, String name) {
    return jdbc.sql(
            "SELECT EXISTS (SELECT 1 FROM gate_runs WHERE run_id = :runId AND name = :name)")
        .param("runId", runId)
        .param("name", name)
        .query(Boolean.class)
        .single();
  }

  /** The status a {@code status} column holds ({@code passed}, {@code running}, …). */
  static GateStatus status(String column) {
    return GateStatus.valueOf(column.toUpperCase(Locale.ROOT));
  }

  public static boolean isEnd(GateStatus status) {
    return status != GateStatus.PENDING && status != GateStatus.RUNNING;
  }

  private static GateRunRecord map(ResultSet rs, int row) throws SQLException {
    int total = rs.getInt("tests_total");
    TestCounts tests =
        rs.wasNull()
            ? null
            : new TestCounts(total, rs.getInt("tests_failed"), rs.getInt("tests_skipped"));
    return new GateRunRecord(
        rs.getLong("run_id"),
        rs.getString("name"),
        rs.getInt("ordinal"),
        rs.getBoolean("required"),
        status(rs.getString("status")),
        rs.getString("summary"),
        tests,
        RunRepository.instant(rs, "started_at"),
        RunRepository.instant(rs, "finished_at"));
  }
}
