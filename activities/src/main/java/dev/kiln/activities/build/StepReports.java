package dev.kiln.activities.build;

import dev.kiln.activities.RunAttempt;
import dev.kiln.activities.api.KilnApiClient;
import dev.kiln.activities.api.StaleAttemptException;
import dev.kiln.activities.process.sandbox.ResourceLimits;
import dev.kiln.activities.process.sandbox.StepUsage;
import dev.kiln.workflows.internal.InternalBodies.Limits;
import dev.kiln.workflows.internal.InternalBodies.SandboxReport;
import dev.kiln.workflows.internal.InternalBodies.UsageReport;
import dev.kiln.workflows.internal.InternalPaths;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the api how a run's steps are isolated and what they used, for its run view ({@code POST
 * /internal/runs/{id}/sandbox} and {@code …/usage}, docs/internal-api.md). Best effort: figures a
 * build could do without never fail it, so a refused or failed report is only logged. Reports are
 * fenced by their attempt: none is sent for a superseded one.
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
      RunAttempt attempt,
      String sandbox,
      ResourceLimits limits,
      boolean network,
      String enforcedBy) {
    Limits values =
        limits == null
            ? null
            : new Limits(
                limits.memoryBytes(),
                limits.cpus(),
                limits.pids(),
                limits.diskBytes(),
                limits.timeout().toSeconds(),
                network,
                enforcedBy);
    send(
        attempt,
        "sandbox",
        InternalPaths.sandbox(attempt.runId()),
        new SandboxReport(sandbox, values));
  }

  /** What command {@code command} (0, 1, … within the step) of {@code step} used. */
  void usage(RunAttempt attempt, String step, int command, StepUsage usage) {
    send(
        attempt,
        "usage",
        InternalPaths.usage(attempt.runId()),
        new UsageReport(step, command, usage.peakMemoryBytes(), usage.cpuMillis()));
  }

  private void send(RunAttempt attempt, String what, String path, Object body) {
    try {
      api.post(attempt, path, body);
    } catch (StaleAttemptException e) {
      log.info("{}: {} not reported: superseded", attempt, what);
    } catch (RuntimeException e) {
      log.warn("{}: could not report its {} to the api: {}", attempt, what, e.toString());
    }
  }
}
