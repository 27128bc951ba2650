package dev.kiln.activities.build;

import dev.kiln.activities.RunAttempt;
import dev.kiln.activities.api.KilnApiClient;
import dev.kiln.activities.api.StaleAttemptException;
import dev.kiln.activities.process.sandbox.ResourceLimits;
import dev.kiln.activities.process.sandbox.StepUsage;
import dev.kiln.workflows.activities.GateStatus;
import dev.kiln.workflows.internal.InternalBodies.GateChange;
import dev.kiln.workflows.internal.InternalBodies.Limits;
import dev.kiln.workflows.internal.InternalBodies.SandboxReport;
import dev.kiln.workflows.internal.InternalBodies.UsageReport;
import dev.kiln.workflows.internal.InternalPaths;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the api how a run's steps are isolated and what they used, for its run view ({@code POST
 * /internal/runs/{id}/sandbox} and {@code …/usage}, docs/internal-api.md). Best effort: figures a
 * build could do without never fail it, so a refused or failed report is only logged. Reports are
 * fenced by their attempt: none is sent for a superseded one.
 *
 * <p>Both go from a thread of their own, in the order they were made: neither a command's start nor
 * the next command waits for the api's answer, a round trip each. The step's activity waits for
 * them at its end ({@link #awaitSent}), beside its log's last upload, so they land while the run
 * still builds (the api ignores them after its end).
 *
 * <p>An attempt's isolation is told once: every command of a step, and most often every step of a
 * run, runs in the same sandbox with the same limits, and the api keeps one per run. A report the
 * api has taken is not sent again for the same attempt unless it differs (a gate of other limits).
 * After a report that failed, what the api keeps is unknown (it may have stored it and lost the
 * answer), so the next command's report goes whatever it says. Attempt 0 (a run recorded before
 * attempts were numbered) is no one attempt: it stays 0 when the run moves between hosts, so its
 * reports all go.
 */
class StepReports implements StepReporter {

  private static final Logger log = LoggerFactory.getLogger(StepReports.class);

  /** Attempts whose isolation is remembered: more than a host builds at once. */
  private static final int REMEMBERED_ATTEMPTS = 256;

  private final KilnApiClient api;

  /** The last sandbox report each attempt's api took; touched by the sender's thread alone. */
  private final Map<AttemptKey, SandboxReport> told =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<AttemptKey, SandboxReport> eldest) {
          return size() > REMEMBERED_ATTEMPTS;
        }
      };

  private final ExecutorService sender =
      Executors.newSingleThreadExecutor(
          task -> {
            Thread thread = new Thread(task, "kiln-step-reports");
            thread.setDaemon(true);
            return thread;
          });

  StepReports(KilnApiClient api) {
    this.api = api;
  }

  /**
   * @param limits {@code null} without a sandbox
   * @param enforcedBy what enforces the limits, {@code null} without a sandbox
   */
  @Override
  public void sandbox(
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
    SandboxReport report = new SandboxReport(sandbox, values);
    AttemptKey key = new AttemptKey(attempt.runId(), attempt.number());
    sender.execute(
        () -> {
          if (attempt.number() > 0 && report.equals(told.get(key))) {
            return;
          }
          if (send(attempt, "sandbox", InternalPaths.sandbox(attempt.runId()), report)) {
            told.put(key, report);
          } else {
            told.remove(key);
          }
        });
  }

  /** What command {@code command} (0, 1, … within the step) of {@code step} used. */
  @Override
  public void usage(RunAttempt attempt, String step, int command, StepUsage usage) {
    UsageReport report = new UsageReport(step, command, usage.peakMemoryBytes(), usage.cpuMillis());
    sender.execute(() -> send(attempt, "usage", InternalPaths.usage(attempt.runId()), report));
  }

  /**
   * Goes before the gate's first command's reports. Fenced like the others: a superseded attempt's
   * gate is not reported running.
   */
  @Override
  public CompletableFuture<Boolean> gateStarted(RunAttempt attempt, String gate) {
    GateChange running = new GateChange(GateStatus.RUNNING.wireName(), null, null);
    return CompletableFuture.supplyAsync(
        () -> send(attempt, "gate's start", InternalPaths.gate(attempt.runId(), gate), running),
        sender);
  }

  /** Reports go one after another: once a no-op queued now has run, every earlier one has. */
  @Override
  public boolean awaitSent(Duration timeout) {
    Future<?> marker = sender.submit(() -> {});
    try {
      marker.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | TimeoutException e) {
      return false;
    }
  }

  /** Whether the api took the report. */
  private boolean send(RunAttempt attempt, String what, String path, Object body) {
    try {
      api.post(attempt, path, body);
      return true;
    } catch (StaleAttemptException e) {
      log.info("{}: {} not reported: superseded", attempt, what);
    } catch (RuntimeException e) {
      log.warn("{}: could not report its {} to the api: {}", attempt, what, e.toString());
    }
    return false;
  }

  private record AttemptKey(long runId, int attempt) {}
}
