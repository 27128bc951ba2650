package dev.kiln.activities.api;

import dev.kiln.activities.RunAttempt;
import dev.kiln.activities.fetch.FetchStarts;
import dev.kiln.workflows.Phase;
import dev.kiln.workflows.internal.InternalBodies.PhaseChange;
import dev.kiln.workflows.internal.InternalPaths;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports the {@code fetching} phase to the api when a host starts the fetch (see {@code
 * LedgerActivitiesImpl#phaseChanged}), from a thread of its own: the fetch does not wait for the
 * api's answer, a round trip on the way to the first compile command. Best effort: a build is not
 * held back because the api is briefly away; the run then shows {@code queued} until its next
 * phase. A report that arrives after a later phase changes nothing (the api moves only a queued run
 * to {@code fetching}). Fenced by the fetch's attempt: the first write of a restarted attempt makes
 * it current if the workflow has not yet.
 */
public final class ApiFetchStarts implements FetchStarts {

  private static final Logger log = LoggerFactory.getLogger(ApiFetchStarts.class);

  private final KilnApiClient api;
  private final Executor reports =
      Executors.newSingleThreadExecutor(
          task -> {
            Thread thread = new Thread(task, "kiln-fetch-starts");
            thread.setDaemon(true);
            return thread;
          });

  public ApiFetchStarts(KilnApiClient api) {
    this.api = api;
  }

  @Override
  public void fetchStarted(RunAttempt attempt) {
    reports.execute(() -> report(attempt));
  }

  private void report(RunAttempt attempt) {
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
