package dev.kiln.workflows.culprit;

import dev.kiln.workflows.RebuildRequest;
import io.temporal.activity.ActivityInterface;

/**
 * The culprit finder's side of the run ledger, run by the api on {@link
 * dev.kiln.workflows.TaskQueues#CULPRIT}: it records bisect builds and reads how runs failed.
 */
@ActivityInterface
public interface CulpritActivities {

  /**
   * Records a low-priority run of {@code sha} for the bisection of run {@code failingRunId}, in a
   * lane of its own, marked {@code bisect_of}, and returns what its {@code RebuildWorkflow} builds.
   */
  RebuildRequest recordBisectBuild(long failingRunId, String sha);

  /** How an ended run failed; a {@code null} step when it did not fail. */
  FailureSignature failureOf(long runId);

  /** The newer run of the failing run's lane that passed, or 0 while the lane is still broken. */
  long laneFixedBy(long failingRunId);

  /** Stores where the bisection of run {@code failingRunId} stands; a found culprit notifies. */
  void report(long failingRunId, BisectReport report);
}
