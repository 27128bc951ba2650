package dev.kiln.api.runs;

import dev.kiln.workflows.internal.InternalBodies.TestEntry;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * The {@code test_results} table: every test a gate's runner reported, per run. Written only while
 * the run builds, so a finished run's view and test list stay final.
 */
@Repository
public class TestResultRepository {

  /** How many failing tests of a gate the run view lists. */
  public static final int MAX_FAILURES = 50;

  private final JdbcClient jdbc;

  public TestResultRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * One test.
   *
   * @param ordinal its place in its gate's report, from 0
   * @param test the test as the worker reported it
   */
  public record StoredTest(String gate, int ordinal, TestEntry test) {}

  /**
   * Stores tests {@code first} … of gate {@code gate}. A part starting at 0 first removes what an
   * earlier attempt of the gate stored; a part sent again replaces itself.
   *
   * @return false when the run has ended (nothing changed) or does not exist
   */
  @Transactional
  public boolean storePart(long runId, String gate, int first, List<StoredTest> tests) {
    // FOR SHARE holds off the run's terminal write until this part is in: a finished run's view
    // (cached from then on) either has all of it or none.
    boolean building =
        jdbc.sql("SELECT result = 'building' FROM runs WHERE id = :runId FOR SHARE")
            .param("runId", runId)
            .query(Boolean.class)
            .optional()
            .orElse(false);
    if (!building) {
      return false;
    }
    if (first == 0) {
      jdbc.sql("DELETE FROM test_results WHERE run_id = :runId AND gate = :gate")
          .param("runId", runId)
          .param("gate", gate)
          .update();
    }
    if (tests.isEmpty()) {
      return true;
    }
    // One statement for the whole part: a suite of thousands is a handful of round trips.
    jdbc.sql(
            """
            INSERT INTO test_results
                   (run_id, gate, ordinal, suite, name, status, duration_ms, message, file, line)
            SELECT r.id, :gate, t.ordinal, t.suite, t.name, t.status, t.duration_ms, t.message,
                   t.file, t.line
              FROM runs r,
                   unnest(CAST(:ordinals AS integer[]), CAST(:suites AS text[]),
                          CAST(:names AS text[]), CAST(:statuses AS text[]),
                          CAST(:durations AS bigint[]), CAST(:messages AS text[]),
                          CAST(:files AS text[]), CAST(:lines AS integer[]))
                   AS t(ordinal, suite, name, status, duration_ms, message, file, line)
             WHERE r.id = :runId AND r.result = 'building'
            ON CONFLICT (run_id, gate, ordinal) DO UPDATE
               SET suite = EXCLUDED.suite, name = EXCLUDED.name, status = EXCLUDED.status,
                   duration_ms = EXCLUDED.duration_ms, message = EXCLUDED.message,
                   file = EXCLUDED.file, line = EXCLUDED.line
            """)
        .param("runId", runId)
        .param("gate", gate)
        .param("ordinals", tests.stream().map(StoredTest::ordinal).toArray(Integer[]::new))
        .param("suites", tests.stream().map(t -> t.test().suite()).toArray(String[]::new))
        .param("names", tests.stream().map(t -> t.test().name()).toArray(String[]::new))
        .param("statuses", tests.stream().map(t -> t.test().status()).toArray(String[]::new))
        .param("durations", tests.stream().map(t -> t.test().durationMs()).toArray(Long[]::new))
        .param("messages", tests.stream().map(t -> t.test().message()).toArray(String[]::new))
        .param("files", tests.stream().map(t -> t.test().file()).toArray(String[]::new))
        .param("lines", tests.stream().map(t -> t.test().line()).toArray(Integer[]::new))
        .update();
    return true;
  }

  /** A run restarted on another host runs its gates again: their tests start over too. */
  public void deleteRun(long runId) {
    jdbc.sql("DELETE FROM test_results WHERE run_id = :runId").param("runId", runId).update();
  }

  /**
   * The run's tests, gates in plan order and tests in report order.
   *
   * @param status {@code null} for every status
   * @param gate {@code null} for every gate
   * @param offset how many matching tests to skip
   * @param limit at most this many
   */
  public List<StoredTest> find(long runId, String status, String gate, int offset, int limit) {
    return jdbc.sql(
            """
            SELECT t.* FROM test_results t
              LEFT JOIN gate_runs g ON g.run_id = t.run_id AND g.name = t.gate
             WHERE t.run_id = :runId
               AND (CAST(:status AS text) IS NULL OR t.status = :status)
               AND (CAST(:gate AS text) IS NULL OR t.gate = :gate)
             ORDER BY g.ordinal NULLS LAST, t.gate, t.ordinal
            OFFSET :offset LIMIT :limit
            """)
        .param("runId", runId)
        .param("status", status)
        .param("gate", gate)
        .param("offset", offset)
        .param("limit", limit)
        .query(
            (rs, row) -> {
              long duration = rs.getLong("duration_ms");
              Long durationMs = rs.wasNull() ? null : duration;
              int line = rs.getInt("line");
              Integer lineOrNull = rs.wasNull() ? null : line;
              return new StoredTest(
                  rs.getString("gate"),
                  rs.getInt("ordinal"),
                  new TestEntry(
                      rs.getString("suite"),
                      rs.getString("name"),
                      rs.getString("status"),
                      durationMs,
                      rs.getString("message"),
                      rs.getString("file"),
                      lineOrNull));
            })
        .list();
  }
}
