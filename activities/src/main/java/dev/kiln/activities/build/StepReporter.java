package dev.kiln.activities.build;

import dev.kiln.activities.RunAttempt;
import dev.kiln.activities.process.sandbox.ResourceLimits;
import dev.kiln.activities.process.sandbox.StepUsage;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Where a command's isolation and usage are told: the api's run view ({@link StepReports}), or
 * nowhere (the defaults), for a local run whose log already says both.
 */
public interface StepReporter {

  /** Reports nothing. */
  StepReporter NONE = new StepReporter() {};

  /**
   * How the attempt's steps are isolated.
   *
   * @param limits {@code null} without a sandbox
   * @param enforcedBy what enforces the limits, {@code null} without a sandbox
   */
  default void sandbox(
      RunAttempt attempt,
      String sandbox,
      ResourceLimits limits,
      boolean network,
      String enforcedBy) {}

  /**
   * What command {@code command} (0, 1, … within the step) of {@code step} used. Returns before the
   * report has arrived: the step's next command does not wait for it, its activity does ({@link
   * #awaitSent}).
   */
  default void usage(RunAttempt attempt, String step, int command, StepUsage usage) {}

  /**
   * That a gate is running, for the ledger (the workflow's {@code gate-start-by-host} version).
   * Returns at once, before the report has arrived.
   *
   * @return completes with whether the ledger took it
   */
  default CompletableFuture<Boolean> gateStarted(RunAttempt attempt, String gate) {
    return CompletableFuture.completedFuture(false);
  }

  /**
   * Waits up to {@code timeout} until every report made so far has been answered (or given up on),
   * so that a step's reports land while its run still builds: the api ignores them after its end.
   *
   * @return whether they have; false when the timeout passed first or the thread was interrupted
   */
  default boolean awaitSent(Duration timeout) {
    return true;
  }
}
