package dev.kiln.activities.build;

import dev.kiln.activities.ledger.KilnApiClient;
import dev.kiln.activities.process.sandbox.ResourceLimits;
import dev.kiln.activities.process.sandbox.StepUsage;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the api how a run's steps are isolated and what they used, for its run view ({@code POST
 * /internal/runs/{id}/sandbox} and {@code …/usage}, docs/internal-api.md). Best effort: figures a
 * build could do without never fail it, so a refused or failed report is only logged.
 */
class StepReports {

  private static final Logger log = LoggerFactory.getLogger(StepReports.class);

  private final KilnApiClient api;

  StepReports(KilnApiClient api) {
    this.api = api;
  }

  /**
   * @param limits {@code null} without a sandbox
   * @param enforcedBy what enforces the limits, {@code null} without a sandbox
   */
  void sandbox(
      long runId, String sandbox, ResourceLimits limits, boolean network, String enforcedBy) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("sandbox", sandbox);
    if (limits != null) {
      Map<String, Object> values = new LinkedHashMap<>();
      values.put("memoryBytes", limits.memoryBytes());
      values.put("cpus", limits.cpus());
      values.put("pids", limits.pids());
      values.put("diskBytes", limits.diskBytes());
      values.put("timeoutSeconds", limits.timeout().toSeconds());
      values.put("network", network);
      values.put("enforcedBy", enforcedBy);
      body.put("limits", values);
    }
    send(runId, "sandbox", body);
  }

  /** What command {@code command} (0, 1, … within the step) of {@code step} used. */
  void usage(long runId, String step, int command, StepUsage usage) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("step", step);
    body.put("command", command);
    body.put("peakMemoryBytes", usage.peakMemoryBytes());
    body.put("cpuMillis", usage.cpuMillis());
    send(runId, "usage", body);
  }

  private void send(long runId, String what, Map<String, Object> body) {
    try {
      api.post("runs/" + runId + "/" + what, body);
    } catch (RuntimeException e) {
      log.warn("run {}: could not report its {} to the api: {}", runId, what, e.toString());
    }
  }
}
