package dev.kiln.api.runs;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code run_sandboxes} and {@code run_step_usage} tables: how a run's steps were isolated and
 * what they used. Both only change while the run builds, so a finished run's view stays final.
 */
@Repository
public class RunSandboxRepository {

  private final JdbcClient jdbc;

  public RunSandboxRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * Records the run's sandbox, replacing an earlier report (a host reports it once per attempt,
   * again for a step of other limits).
   *
   * @param limitsJson the limits as a JSON object, or {@code null} without a sandbox
   * @return whether it was recorded: false when the run has ended (or does not exist)
   */
  public boolean recordSandbox(long runId, String sandbox, String limitsJson) {
    return jdbc.sql(
                """
                INSERT INTO run_sandboxes (run_id, sandbox, limits)
                SELECT id, :sandbox, CAST(:limits AS jsonb)
                  FROM runs WHERE id = :runId AND result = 'building'
                   FOR SHARE
                ON CONFLICT (run_id) DO UPDATE
                   SET sandbox = EXCLUDED.sandbox, limits = EXCLUDED.limits, reported_at = now()
                """)
            .param("runId", runId)
            .param("sandbox", sandbox)
            .param("limits", limitsJson)
            .update()
        == 1;
  }

  /**
   * Records what one command of a step used, replacing an earlier report of the same command (a
   * retried activity measures again).
   *
   * @return whether it was recorded: false when the run has ended (or does not exist)
   */
  public boolean recordUsage(
      long runId, String step, int command, Long peakMemoryBytes, Long cpuMillis) {
    return jdbc.sql(
                """
                INSERT INTO run_step_usage (run_id, step, command, peak_memory_bytes, cpu_millis)
                SELECT id, :step, :command, :peak, :cpu
                  FROM runs WHERE id = :runId AND result = 'building'
                   FOR SHARE
                ON CONFLICT (run_id, step, command) DO UPDATE
                   SET peak_memory_bytes = EXCLUDED.peak_memory_bytes,
                       cpu_millis = EXCLUDED.cpu_millis,
                       reported_at = now()
                """)
            .param("runId", runId)
            .param("step", step)
            .param("command", command)
            .param("peak", peakMemoryBytes)
            .param("cpu", cpuMillis)
            .update()
        == 1;
  }
}
