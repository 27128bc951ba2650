package dev.kiln.activities.api;

import dev.kiln.activities.RunAttempt;
import dev.kiln.activities.fetch.FetchStarts;
import dev.kiln.workflows.Phase;
import dev.kiln.workflows.internal.InternalBodies.PhaseChange;
import dev.kiln.workflows.internal.InternalPaths;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports the {@code fetching} phase to the api when a host starts the fetch (see {@code
 * LedgerActivitiesImpl#phaseChanged}). Best effort: a build is not held back because the api is
 * briefly away; the run then shows {@code queued} until its next phase. Fenced by the fetch's
 * attempt: the first write of a restarted attempt makes it current if the workflow has not yet.
 */
public final class ApiFetchStarts implements FetchStarts {

  private static final Logger log = LoggerFactory.getLogger(ApiFetchStarts.class);

  private final KilnApiClient api;

  public ApiFetchStarts(KilnApiClient api) {
    this.api = api;
  }

  @Override
  public void fetchStarted(RunAttempt attempt) {
    try {
      api.post(
          attempt,
          InternalPaths.phase(attempt.runId()),
          new PhaseChange(Phase.FETCHING.wireName()));
    } catch (StaleAttemptException e) {
      log.info("{}: fetching not reported: superseded", attempt);
    } catch (RuntimeException e) {
      log.warn("{}: could not report the fetching phase: {}", attempt, e.toString());
    }
  }
}
