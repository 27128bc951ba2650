package dev.kiln.activities.api;

import dev.kiln.activities.fetch.FetchStarts;
import dev.kiln.workflows.Phase;
import dev.kiln.workflows.internal.InternalBodies.PhaseChange;
import dev.kiln.workflows.internal.InternalPaths;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports the {@code fetching} phase to the api when a host starts the fetch (see {@code
 * LedgerActivitiesImpl#phaseChanged}). Best effort: a build is not held back because the api is
 * briefly away; the run then shows {@code queued} until its next phase.
 */
public final class ApiFetchStarts implements FetchStarts {

  private static final Logger log = LoggerFactory.getLogger(ApiFetchStarts.class);

  private final KilnApiClient api;

  public ApiFetchStarts(KilnApiClient api) {
    this.api = api;
  }

  @Override
  public void fetchStarted(long runId) {
    try {
      api.post(InternalPaths.phase(runId), new PhaseChange(Phase.FETCHING.wireName()));
    } catch (RuntimeException e) {
      log.warn("run {}: could not report the fetching phase: {}", runId, e.toString());
    }
  }
}
