package dev.kiln.activities.fetch;

import dev.kiln.activities.RunAttempt;

/**
 * Told when a host actually starts a run's fetch. Until then the run waits in Temporal's queue for
 * a build slot, and the ledger shows it {@code queued}.
 */
@FunctionalInterface
public interface FetchStarts {

  void fetchStarted(RunAttempt attempt);
}
