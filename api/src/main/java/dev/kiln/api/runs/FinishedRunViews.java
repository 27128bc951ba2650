package dev.kiln.api.runs;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Views of finished runs, kept in memory. A finished run's view is final but for one change: every
 * ledger write is guarded by {@code result = 'building'} (runs, restarts, artifacts), and the gates
 * are closed in the transaction that ends the run, after which no gate update applies. So an api
 * instance can serve such a view from memory, whatever other instances write; a dashboard or a
 * script polling a finished run then costs no database round trip. The one change is retention,
 * days later, removing the run's logs and artifacts: the instance that removes them forgets the
 * view at once, the others within {@link #EXPIRY}.
 */
@Component
class FinishedRunViews {

  /** A view takes a few KiB: some MiB at most. */
  static final int CAPACITY = 4096;

  /** How long a view is served from memory before it is read again. */
  static final Duration EXPIRY = Duration.ofMinutes(10);

  private final Cache<Long, RunView> views =
      Caffeine.newBuilder().maximumSize(CAPACITY).expireAfterWrite(EXPIRY).build();

  private final Cache<Long, RunView> lastServed =
      Caffeine.newBuilder().maximumSize(CAPACITY).expireAfterWrite(EXPIRY).build();

  /** How many times a view was forgotten; a read that began before the last one is not kept. */
  private long forgets;

  synchronized void forget(long runId) {
    forgets++;
    views.invalidate(runId);
    lastServed.invalidate(runId);
  }

  /**
   * Taken before a view is read from the ledger and given back to {@link #offer}: a read that
   * overlapped retention may hold the view from before it, which must not outlive the forget.
   */
  synchronized long generation() {
    return forgets;
  }

  Optional<RunView> find(long runId) {
    return Optional.ofNullable(views.getIfPresent(runId));
  }

  /**
   * Remembers the view last served of a run whose view is kept, notifications included, for when
   * the database is away; a view not kept is not added. (Kept apart from the views themselves,
   * whose expiry must run from their first read.)
   */
  synchronized void served(long runId, RunView view) {
    if (views.getIfPresent(runId) != null) {
      lastServed.put(runId, view);
    }
  }

  /** The view last served of a finished run, or the finished view itself. */
  Optional<RunView> lastServed(long runId) {
    return Optional.ofNullable(lastServed.getIfPresent(runId)).or(() -> find(runId));
  }

  /**
   * Keeps the view if it is final (its run has a terminal result) and no view was forgotten since
   * {@code generation} was taken, when its read began.
   */
  synchronized void offer(RunRecord run, RunView view, long generation) {
    if (run.result().isTerminal() && generation == forgets) {
      views.put(run.id(), view);
    }
  }
}
