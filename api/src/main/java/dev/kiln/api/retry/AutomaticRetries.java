package dev.kiln.api.retry;

import dev.kiln.api.culprit.CulpritStore;
import dev.kiln.api.rebuild.RebuildService;
import dev.kiln.api.runs.NewRun;
import dev.kiln.api.runs.RunRecord;
import dev.kiln.api.runs.RunRepository;
import dev.kiln.api.runs.RunSummary;
import dev.kiln.api.web.ApiException;
import dev.kiln.workflows.Phase;
import dev.kiln.workflows.Result;
import dev.kiln.workflows.RunPriority;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * Retries a run that failed for a reason outside its code, once (by default), as {@code POST
 * /runs/{id}/retry} would: the same commit, plan, arch, args and priority, {@code retry_of} set and
 * {@code retried_by: automatic}.
 *
 * <p>It runs when the ledger records a run's end, on every report of it: the workflow repeats its
 * finish report until an api answers, so an api that stopped after recording the end and before
 * recording the retry does it on the repeated report. Exactly once: a unique index allows one
 * automatic retry per run, whoever inserts first; and a retry recorded but never started (the api
 * stopped in between) is started by the next report, a start that Temporal takes once per run id.
 */
@Service
public class AutomaticRetries {

  private static final Logger log = LoggerFactory.getLogger(AutomaticRetries.class);

  private final RunRepository runs;
  private final RebuildService rebuilds;
  private final RetryProperties properties;

  private final CulpritStore culprits;

  public AutomaticRetries(
      RunRepository runs,
      RebuildService rebuilds,
      RetryProperties properties,
      CulpritStore culprits) {
    this.culprits = culprits;
    this.runs = runs;
    this.rebuilds = rebuilds;
    this.properties = properties;
  }

  /** The ledger recorded (again) that run {@code runId} ended. */
  public void runEnded(long runId) {
    int attempts = properties.infrastructureAttempts();
    if (attempts == 0) {
      return;
    }
    RunRecord failed = runs.find(runId).orElse(null);
    if (failed == null || !AutomaticRetryPolicy.retries(failed)) {
      return;
    }
    if (culprits.bisectOf(runId).isPresent()) {
      // the culprit finder's own build: it reads a failure as "this commit tells nothing" and
      // moves on, and a retry outside the bisection would be a build nobody waits for
      return;
    }
    Optional<RunRecord> earlier = runs.automaticRetryOf(runId);
    if (earlier.isPresent()) {
      startIfNeverStarted(failed, earlier.get());
      return;
    }
    if (!AutomaticRetryPolicy.withinAttempts(automaticRetriesUpTo(failed, attempts), attempts)) {
      log.info(
          "run {} failed ({}) after {} automatic retries in a row: not retried again",
          runId,
          failed.failureSummary(),
          attempts);
      return;
    }
    if (failed.sha() == null && runs.hasNewerRunInLane(failed.lane(), runId)) {
      // A run that never resolved its commit is retried at its ref in its lane, where it would
      // supersede the newer run, which builds the branch anyway.
      log.info("run {} failed ({}): its lane has a newer run, not retried", runId, summary(failed));
      return;
    }
    NewRun retry = RetryService.retryOf(failed, priority(failed));
    Optional<Long> retryId = runs.insertAutomaticRetry(retry, RunSummary.AUTOMATIC);
    if (retryId.isEmpty()) {
      // Another report of the same end recorded it a moment ago (the insert waited for its
      // commit); start it from here too, in case that api stops before it does: a second start
      // of the same run is refused by Temporal or ignored by the lane.
      runs.automaticRetryOf(runId).ifPresent(recorded -> startIfNeverStarted(failed, recorded));
      return;
    }
    log.info(
        "run {} failed ({}): retried automatically as run {}",
        runId,
        summary(failed),
        retryId.get());
    start(retryId.get(), retry);
  }

  private void startIfNeverStarted(RunRecord failed, RunRecord retry) {
    // A lane's run has no Temporal run id of its own: it is handed to the lane again, which ignores
    // a run id it took already, as Temporal refuses a second start of a run's own workflow.
    if (retry.result() == Result.BUILDING
        && retry.phase() == Phase.QUEUED
        && retry.temporalRunId() == null) {
      start(retry.id(), RetryService.retryOf(failed, priority(failed)));
    }
  }

  /** How many automatic retries in a row led to {@code run}, counting up to {@code limit}. */
  private int automaticRetriesUpTo(RunRecord run, int limit) {
    int count = 0;
    RunRecord current = run;
    while (count < limit && current.retriedAutomatically() && current.retryOf() != null) {
      count++;
      Optional<RunRecord> before = runs.find(current.retryOf());
      if (before.isEmpty()) {
        break;
      }
      current = before.get();
    }
    return count;
  }

  private void start(long retryId, NewRun retry) {
    try {
      rebuilds.startRecorded(retryId, retry);
    } catch (ApiException e) {
      // recorded failed ("could not start: …"), which its view says; the run it retries is ended
      log.warn(
          "the automatic retry {} of run {} did not start: {}",
          retryId,
          retry.retryOf(),
          e.getBody().getDetail());
    }
  }

  private static RunPriority priority(RunRecord run) {
    return RunPriority.fromWireName(run.priority()).orElse(RunPriority.NORMAL);
  }

  private static String summary(RunRecord run) {
    return String.valueOf(run.failureSummary());
  }
}
