package dev.kiln.api.runs;

import dev.kiln.workflows.LogSequences;
import dev.kiln.workflows.activities.RunRestart;
import dev.kiln.workflows.activities.TestCounts;
import dev.kiln.workflows.internal.InternalBodies.Limits;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads everything {@code GET /runs/{id}} shows in one statement: the run's row with its gates,
 * artifacts, restarts, sandbox and step usage as JSON. The view is the api's most polled read, and
 * one round trip instead of four halves its cost (bench/run-view-load.sh).
 */
@Repository
public class RunViewRepository {

  /** A run with the rows of the tables that hang off it, each list in the order the view shows. */
  public record RunDetails(
      RunRecord run,
      List<GateRunRecord> gates,
      List<RunView.Artifact> artifacts,
      List<RunView.Restart> restarts,
      Sandbox sandbox,
      List<RunView.StepUsage> steps,
      RunView.Retention retention,
      List<StepTimeline.Chunks> stepChunks,
      List<StepTimeline.KilnText> kilnLines) {}

  /**
   * @param kind {@code bwrap} or {@code none}; {@code null} before a step reported
   * @param limits {@code null} without a sandbox
   */
  public record Sandbox(String kind, Limits limits) {
    static final Sandbox UNREPORTED = new Sandbox(null, null);
  }

  private static final String SQL =
      "SELECT "
          + RunRepository.COLUMNS
          + """
          ,
          (SELECT json_agg(json_build_object(
                    'name', g.name, 'ordinal', g.ordinal, 'required', g.required,
                    'status', g.status, 'summary', g.summary, 'total', g.tests_total,
                    'failed', g.tests_failed, 'skipped', g.tests_skipped,
                    'started_at', g.started_at, 'finished_at', g.finished_at,
                    'failures', (SELECT json_agg(json_build_object(
                                          'name', t.name, 'suite', t.suite, 'message', t.message,
                                          'file', t.file, 'line', t.line)
                                        ORDER BY t.ordinal)
                                   FROM (SELECT * FROM test_results t
                                          WHERE t.run_id = runs.id AND t.gate = g.name
                                            AND t.status = 'failed'
                                          ORDER BY t.ordinal LIMIT :maxFailures) t))
                  ORDER BY g.ordinal)
             FROM gate_runs g WHERE g.run_id = runs.id) AS gates_json,
          (SELECT json_agg(json_build_object('path', a.path, 'size', a.size, 'sha256', a.sha256)
                  ORDER BY a.path)
             FROM artifacts a WHERE a.run_id = runs.id) AS artifacts_json,
          (SELECT json_agg(json_build_object(
                    'attempt', x.attempt, 'host', x.host, 'previous_host', x.previous_host,
                    'restarted_at', x.restarted_at)
                  ORDER BY x.attempt)
             FROM run_restarts x WHERE x.run_id = runs.id) AS restarts_json,
          (SELECT json_build_object('sandbox', s.sandbox, 'limits', s.limits)
             FROM run_sandboxes s WHERE s.run_id = runs.id) AS sandbox_json,
          (SELECT json_agg(json_build_object(
                    'step', u.step, 'peak_memory_bytes', u.peak, 'cpu_millis', u.cpu)
                  ORDER BY u.first)
             FROM (SELECT step, max(peak_memory_bytes) AS peak, sum(cpu_millis) AS cpu,
                          min(reported_at) AS first
                     FROM run_step_usage WHERE run_id = runs.id GROUP BY step) u) AS usage_json,
          (SELECT json_build_object(
                    'removed_at', x.removed_at,
                    'kept_for_s', extract(epoch FROM x.kept_for)::bigint)
             FROM run_retention x WHERE x.run_id = runs.id) AS retention_json,
          (SELECT json_agg(json_build_object(
                    'first_seq', c.first_seq, 'step', c.step,
                    'first_at', c.first_at, 'last_at', c.last_at)
                  ORDER BY c.first_seq)
             FROM (SELECT min(seq) AS first_seq, step, min(created_at) AS first_at,
                          max(created_at) AS last_at
                     FROM run_log_chunks WHERE run_id = runs.id
                    GROUP BY seq / :stepSpan, step) c) AS step_chunks_json,
          (SELECT json_agg(json_build_object('seq', k.seq, 'data', encode(k.data, 'base64'))
                  ORDER BY k.seq)
             FROM run_log_chunks k
            WHERE k.run_id = runs.id AND k.step = :kilnStep) AS kiln_json
          FROM runs WHERE id = :id
          """;

  private final JdbcClient jdbc;
  private final JsonMapper json;

  public RunViewRepository(JdbcClient jdbc, JsonMapper json) {
    this.jdbc = jdbc;
    this.json = json;
  }

  public Optional<RunDetails> find(long id) {
    return jdbc.sql(SQL)
        .param("id", id)
        .param("maxFailures", TestResultRepository.MAX_FAILURES)
        .param("stepSpan", LogSequences.STEP_SPAN)
        .param("kilnStep", StepTimeline.KILN)
        .query(this::map)
        .optional();
  }

  private RunDetails map(ResultSet rs, int row) throws SQLException {
    RunRecord run = RunRepository.map(rs, row);
    return new RunDetails(
        run,
        gates(run.id(), rs.getString("gates_json")),
        artifacts(rs.getString("artifacts_json")),
        restarts(rs.getString("restarts_json")),
        sandbox(rs.getString("sandbox_json")),
        usage(rs.getString("usage_json")),
        retention(rs.getString("retention_json")),
        stepChunks(rs.getString("step_chunks_json")),
        kilnLines(rs.getString("kiln_json")));
  }

  private List<StepTimeline.Chunks> stepChunks(String array) {
    List<StepTimeline.Chunks> chunks = new ArrayList<>();
    for (JsonNode c : nodes(array)) {
      chunks.add(
          new StepTimeline.Chunks(
              c.get("first_seq").asLong(),
              text(c, "step"),
              instant(c, "first_at"),
              instant(c, "last_at")));
    }
    return chunks;
  }

  /** Kiln's own lines; a character cut by a chunk's end shows as U+FFFD, which names no step. */
  private List<StepTimeline.KilnText> kilnLines(String array) {
    List<StepTimeline.KilnText> lines = new ArrayList<>();
    for (JsonNode k : nodes(array)) {
      byte[] data = Base64.getMimeDecoder().decode(text(k, "data"));
      lines.add(
          new StepTimeline.KilnText(
              k.get("seq").asLong(), new String(data, StandardCharsets.UTF_8)));
    }
    return lines;
  }

  private static Instant instant(JsonNode node, String field) {
    String value = text(node, field);
    return value == null ? null : OffsetDateTime.parse(value).toInstant();
  }

  private RunView.Retention retention(String object) {
    if (object == null) {
      return null;
    }
    JsonNode retention = json.readTree(object);
    return RunRemovals.retention(
        OffsetDateTime.parse(text(retention, "removed_at")).toInstant(),
        Duration.ofSeconds(retention.get("kept_for_s").asLong()));
  }

  private Sandbox sandbox(String object) {
    if (object == null) {
      return Sandbox.UNREPORTED;
    }
    JsonNode sandbox = json.readTree(object);
    JsonNode limits = sandbox.get("limits");
    if (limits == null || limits.isNull()) {
      return new Sandbox(text(sandbox, "sandbox"), null);
    }
    return new Sandbox(
        text(sandbox, "sandbox"),
        new Limits(
            longOrNull(limits, "memory_bytes"),
            limits.hasNonNull("cpus") ? limits.get("cpus").asDouble() : null,
            limits.hasNonNull("pids") ? limits.get("pids").asInt() : null,
            longOrNull(limits, "disk_bytes"),
            longOrNull(limits, "timeout_seconds"),
            limits.hasNonNull("network") ? limits.get("network").asBoolean() : null,
            text(limits, "enforced_by")));
  }

  private List<RunView.StepUsage> usage(String array) {
    List<RunView.StepUsage> steps = new ArrayList<>();
    for (JsonNode step : nodes(array)) {
      Long cpu = longOrNull(step, "cpu_millis");
      steps.add(
          new RunView.StepUsage(
              text(step, "step"),
              longOrNull(step, "peak_memory_bytes"),
              cpu == null ? null : cpu / 1000.0));
    }
    return steps;
  }

  private static Long longOrNull(JsonNode node, String field) {
    return node.hasNonNull(field) ? node.get(field).asLong() : null;
  }

  private List<GateRunRecord> gates(long runId, String array) {
    List<GateRunRecord> gates = new ArrayList<>();
    for (JsonNode gate : nodes(array)) {
      JsonNode total = gate.get("total");
      TestCounts tests =
          total.isNull()
              ? null
              : new TestCounts(
                  total.asInt(), gate.get("failed").asInt(), gate.get("skipped").asInt());
      gates.add(
          new GateRunRecord(
              runId,
              text(gate, "name"),
              gate.get("ordinal").asInt(),
              gate.get("required").asBoolean(),
              GateRunRepository.status(text(gate, "status")),
              text(gate, "summary"),
              tests,
              instant(gate, "started_at"),
              instant(gate, "finished_at"),
              failures(gate.get("failures"))));
    }
    return gates;
  }

  private List<RunView.Failure> failures(JsonNode array) {
    List<RunView.Failure> failures = new ArrayList<>();
    if (array == null || array.isNull()) {
      return failures;
    }
    for (JsonNode failure : array) {
      failures.add(
          new RunView.Failure(
              text(failure, "name"),
              text(failure, "suite"),
              text(failure, "message"),
              text(failure, "file"),
              failure.hasNonNull("line") ? failure.get("line").asInt() : null));
    }
    return failures;
  }

  private List<RunView.Artifact> artifacts(String array) {
    List<RunView.Artifact> artifacts = new ArrayList<>();
    for (JsonNode artifact : nodes(array)) {
      artifacts.add(
          new RunView.Artifact(
              text(artifact, "path"), artifact.get("size").asLong(), text(artifact, "sha256")));
    }
    return artifacts;
  }

  private List<RunView.Restart> restarts(String array) {
    List<RunView.Restart> restarts = new ArrayList<>();
    for (JsonNode restart : nodes(array)) {
      String host = text(restart, "host");
      String previousHost = text(restart, "previous_host");
      restarts.add(
          new RunView.Restart(
              restart.get("attempt").asInt(),
              host,
              previousHost,
              RunRestart.note(host, previousHost),
              OffsetDateTime.parse(text(restart, "restarted_at")).toInstant()));
    }
    return restarts;
  }

  /** The elements of a {@code json_agg} array; SQL NULL when the subquery found no rows. */
  private Iterable<JsonNode> nodes(String array) {
    return array == null ? List.of() : json.readTree(array);
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asString();
  }
}
