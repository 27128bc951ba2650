package dev.kiln.activities.ledger;

import dev.kiln.activities.api.ApiRejectedException;
import dev.kiln.activities.api.KilnApiClient;
import dev.kiln.workflows.Phase;
import dev.kiln.workflows.Result;
import dev.kiln.workflows.RunOutcome;
import dev.kiln.workflows.activities.GateUpdate;
import dev.kiln.workflows.activities.LedgerActivities;
import dev.kiln.workflows.activities.RunResolved;
import dev.kiln.workflows.activities.RunRestart;
import dev.kiln.workflows.activities.TestCounts;
import dev.kiln.workflows.internal.InternalBodies.ArchServed;
import dev.kiln.workflows.internal.InternalBodies.AttemptAnswer;
import dev.kiln.workflows.internal.InternalBodies.AttemptStarted;
import dev.kiln.workflows.internal.InternalBodies.Finish;
import dev.kiln.workflows.internal.InternalBodies.FinishAnswer;
import dev.kiln.workflows.internal.InternalBodies.GateChange;
import dev.kiln.workflows.internal.InternalBodies.PhaseChange;
import dev.kiln.workflows.internal.InternalBodies.PlannedGate;
import dev.kiln.workflows.internal.InternalBodies.Requires;
import dev.kiln.workflows.internal.InternalBodies.Resolved;
import dev.kiln.workflows.internal.InternalBodies.Restarted;
import dev.kiln.workflows.internal.InternalBodies.Supersede;
import dev.kiln.workflows.internal.InternalBodies.Tests;
import dev.kiln.workflows.internal.InternalPaths;
import dev.kiln.workflows.plan.GateSpec;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports run progress to the api. Failures propagate so Temporal retries them: the api's endpoints
 * are idempotent and the workflow keeps trying until the api is back.
 */
public class LedgerActivitiesImpl implements LedgerActivities {

  private static final Logger log = LoggerFactory.getLogger(LedgerActivitiesImpl.class);

  private final KilnApiClient api;

  public LedgerActivitiesImpl(KilnApiClient api) {
    this.api = api;
  }

  /**
   * The workflow reports {@code fetching} when it schedules the fetch, but the run then waits in
   * Temporal's queue until a worker has a free build slot: the ledger says {@code queued} until the
   * host that starts the fetch reports {@code fetching} itself ({@code ApiFetchStarts}). A run
   * restarted after a lost host is queued again.
   */
  @Override
  public void phaseChanged(long runId, Phase phase) {
    Phase reported = phase == Phase.FETCHING ? Phase.QUEUED : phase;
    api.post(InternalPaths.phase(runId), new PhaseChange(reported.wireName()));
  }

  @Override
  public void resolved(RunResolved resolved) {
    api.post(
        InternalPaths.resolved(resolved.runId()),
        new Resolved(
            resolved.sha(),
            resolved.branch(),
            resolved.version(),
            resolved.host(),
            resolved.planOrigin(),
            gates(resolved.gates()),
            // one request: a retry must not post the resolution again after a phase that failed,
            // as the resolution replaces the gates and their test results
            resolved.entering() == null ? null : resolved.entering().wireName()));
  }

  @Override
  public void gateChanged(long runId, GateUpdate update) {
    api.post(
        InternalPaths.gate(runId, update.name()),
        new GateChange(update.status().wireName(), update.summary(), tests(update.tests())));
  }

  @Override
  public void restarted(RunRestart restart) {
    api.post(
        InternalPaths.restarted(restart.runId()),
        new Restarted(restart.attempt(), restart.host(), restart.previousHost(), restart.logSeq()));
  }

  /**
   * An api from before fencing has no {@code …/attempt} (404 or 405): it stores every write, as it
   * always did, so the restart goes on without the fence rather than stall.
   */
  @Override
  public void attemptStarted(long runId, int attempt) {
    try {
      api.post(InternalPaths.attempt(runId), new AttemptStarted(attempt), AttemptAnswer.class);
    } catch (ApiRejectedException e) {
      if (e.status() != 404 && e.status() != 405) {
        throw e;
      }
      log.warn(
          "run {}: the api fences no attempts ({}); attempt {} goes on",
          runId,
          e.status(),
          attempt);
    }
  }

  @Override
  public void requiresLabels(long runId, List<String> labels) {
    api.post(InternalPaths.requires(runId), new Requires(labels));
  }

  @Override
  public boolean finished(long runId, Result result, String failureSummary) {
    FinishAnswer answer =
        api.post(
            InternalPaths.finish(runId),
            new Finish(result.wireName(), failureSummary),
            FinishAnswer.class);
    return answer != null && answer.applied();
  }

  @Override
  public boolean superseded(long runId, long byRunId) {
    RunOutcome outcome = RunOutcome.superseded(byRunId);
    FinishAnswer answer;
    try {
      answer =
          api.post(
              InternalPaths.supersede(runId),
              new Supersede(byRunId, outcome.failureSummary()),
              FinishAnswer.class);
    } catch (ApiRejectedException e) {
      if (e.status() != 404 && e.status() != 405) {
        throw e;
      }
      // An api that predates /supersede: record the result and summary, lose only superseded_by.
      // (An unknown run is a 404 too; /finish then answers 404 again and that propagates.)
      return finished(runId, outcome.result(), outcome.failureSummary());
    }
    return answer != null && answer.applied();
  }

  @Override
  public boolean archServed(String arch) {
    ArchServed answer = api.get(InternalPaths.archServed(arch), ArchServed.class);
    // No answer is no proof that nobody serves it: a run is failed only on a clear "no".
    return answer == null || !Boolean.FALSE.equals(answer.served());
  }

  @Override
  public boolean servedWithLabels(String arch, List<String> labels) {
    ArchServed answer = api.get(InternalPaths.archServed(arch, labels), ArchServed.class);
    return answer == null || !Boolean.FALSE.equals(answer.served());
  }

  private static List<PlannedGate> gates(List<GateSpec> gates) {
    return gates.stream().map(g -> new PlannedGate(g.name(), g.required())).toList();
  }

  private static Tests tests(TestCounts counts) {
    if (counts == null) {
      return null;
    }
    return new Tests(counts.total(), counts.failed(), counts.skipped());
  }
}
