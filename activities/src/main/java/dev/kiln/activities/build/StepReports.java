package dev.kiln.activities.build;

import dev.kiln.activities.ledger.KilnApiClient;
import dev.kiln.activities.process.sandbox.ResourceLimits;
import dev.kiln.activities.process.sandbox.StepUsage;
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

  /** {@code POST /internal/runs/{id}/sandbox}; snake_case on the wire, as every body. */
  record SandboxBody(String sandbox, LimitsBody limits) {}

  record LimitsBody(
      long memoryBytes,
      double cpus,
      int pids,
      long diskBytes,
      long timeoutSeconds,
      boolean network,
      String enforcedBy) {}

  /** {@code POST /internal/runs/{id}/usage}. */
  record UsageBody(String step, int command, Long peakMemoryBytes, Long cpuMillis) {}

  /**
   * @param limits {@code null} without a sandbox
   * @param enforcedBy what enforces the limits, {@code null} without a sandbox
   */
  void sandbox(
      long runId, String sandbox, ResourceLimits limits, boolean network, String enforcedBy) {
    LimitsBody values =
        limits == null
            ? null
            : new LimitsBody(
                limits.memoryBytes(),
                limits.cpus(),
                limits.pids(),
                limits.diskBytes(),
                limits.timeout().toSeconds(),
                network,
                enforcedBy);
    send(runId, "sandbox", new SandboxBody(sandbox, values));
  }

  /** What command {@code command} (0, 1, … within the step) of {@code step} used. */
  void usage(long runId, String step, int command, StepUsage usage) {
    send(runId, "usage", new UsageBody(step, command, usage.peakMemoryBytes(), usage.cpuMillis()));
  }

  private void send(long runId, String what, Object body) {
    try {
      api.post("runs/" + runId + "/" + what, body);
    } catch (RuntimeException e) {
      log.warn("run {}: could not report its {} to the api: {}", runId, what, e.toString());
    }
  }
}
