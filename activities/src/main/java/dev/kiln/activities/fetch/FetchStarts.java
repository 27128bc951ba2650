package dev.kiln.activities.fetch;

/**
 * Told when a host actually starts a run's fetch. Until then the run waits in Temporal's queue for
 * a build slot, and the ledger shows it {@code queued}.
 */
@FunctionalInterface
public interface FetchStarts {

  void fetchStarted(long runId);
}
