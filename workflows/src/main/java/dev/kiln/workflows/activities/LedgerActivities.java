package dev.kiln.workflows.activities;

import dev.kiln.workflows.Phase;
import dev.kiln.workflows.Result;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * Reports a run's progress to the api, which owns PostgreSQL. Runs on {@code kiln-control}. Every
 * method is idempotent, so Temporal may retry it freely.
 */
@ActivityInterface
public interface LedgerActivities {

  @ActivityMethod
  void phaseChanged(long runId, Phase phase);

  @ActivityMethod
  void resolved(RunResolved resolved);

  @ActivityMethod
  void gateChanged(long runId, GateUpdate update);

  /**
   * Records a restart on another host: the run view lists its note and the log gets it as a line of
   * step {@code kiln} at {@link RunRestart#logSeq()}. Idempotent on the attempt.
   */
  @ActivityMethod
  void restarted(RunRestart restart);

  /**
   * Records labels the run also requires of its build host, from its kiln.yaml: hosts with every
   * label then poll the queue of the run's arch and labels, and a retry asks for them too.
   * Idempotent (a union).
   */
  @ActivityMethod
  void requiresLabels(long runId, java.util.List<String> labels);

  /**
   * Makes {@code attempt} the run's current host attempt before any of it runs: from then on the
   * api refuses every write a build host makes for an earlier attempt of the run (a lost host that
   * comes back). Idempotent; an attempt lower than the current one changes nothing.
   */
  @ActivityMethod
  void attemptStarted(long runId, int attempt);

  /**
   * Whether any build worker serves {@code arch}: one polls {@code kiln-build-<arch>} or reported
   * itself to the api recently (a worker whose slots are all held stops polling, yet serves the
   * arch). Read-only; asked when a run has waited {@code kiln.dispatch.no-worker-timeout} for its
   * fetch, to tell "no worker at all" from "every worker busy".
   */
  @ActivityMethod
  boolean archServed(String arch);

  /**
   * Whether a live build host of {@code arch} that is not draining has every one of {@code labels}
   * (from the hosts' reports to the api). Read-only; asked as {@link #archServed} is, for a run
   * that requires labels.
   */
  @ActivityMethod
  boolean servedWithLabels(String arch, java.util.List<String> labels);

  /**
   * Records the terminal result. The first terminal write wins.
   *
   * @return {@code false} when the run already had a terminal result (this write was ignored)
   */
  @ActivityMethod
  boolean finished(long runId, Result result, String failureSummary);

  /**
   * Records that a newer run of the same lane took this run's place: result {@code aborted},
   * failure summary {@code superseded by run <byRunId>} and {@code superseded_by}, in one terminal
   * write (the first terminal write wins, as for {@link #finished}). Used both for a build that was
   * cancelled part way and for a queued run that never started.
   *
   * @return {@code false} when the run already had a terminal result (this write was ignored)
   */
  @ActivityMethod
  boolean superseded(long runId, long byRunId);
}
