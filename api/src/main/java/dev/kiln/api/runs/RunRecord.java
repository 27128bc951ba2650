package dev.kiln.api.runs;

import dev.kiln.workflows.Phase;
import dev.kiln.workflows.Result;
import java.time.Instant;
import java.util.List;

/**
 * One row of {@code runs}, as stored.
 *
 * @param elapsedSeconds from queued until finished (or until now while building), by the database's
 *     clock, which also stamped both ends
 * @param triggeredBy the name of the caller that started it; {@code null} for runs from before
 *     callers were recorded
 * @param retryOf the run this one retries ({@code POST /runs/{id}/retry}); {@code null} otherwise
 * @param retriedAutomatically a retry Kiln started by itself after an infrastructure failure
 * @param flaky a retry that passed where the run it retries, of the same commit, failed
 */
public record RunRecord(
    long id,
    String repo,
    String ref,
    String branch,
    String sha,
    String arch,
    String lane,
    String mr,
    String priority,
    boolean supersede,
    String version,
    Phase phase,
    Result result,
    String failureSummary,
    Long supersededBy,
    String cancelledBy,
    String workflowId,
    String temporalRunId,
    String host,
    String planOrigin,
    String idempotencyKey,
    String target,
    List<String> args,
    Instant queuedAt,
    Instant startedAt,
    Instant finishedAt,
    long elapsedSeconds,
    String triggeredBy,
    Long retryOf,
    boolean retriedAutomatically,
    boolean flaky) {

  public RunRecord {
    args = args == null ? List.of() : List.copyOf(args);
  }

  /** A run that is no automatic retry and not flaky. */
  public RunRecord(
      long id,
      String repo,
      String ref,
      String branch,
      String sha,
      String arch,
      String lane,
      String mr,
      String priority,
      boolean supersede,
      String version,
      Phase phase,
      Result result,
      String failureSummary,
      Long supersededBy,
      String cancelledBy,
      String workflowId,
      String temporalRunId,
      String host,
      String planOrigin,
      String idempotencyKey,
      String target,
      List<String> args,
      Instant queuedAt,
      Instant startedAt,
      Instant finishedAt,
      long elapsedSeconds,
      String triggeredBy,
      Long retryOf) {
    this(
        id,
        repo,
        ref,
        branch,
        sha,
        arch,
        lane,
        mr,
        priority,
        supersede,
        version,
        phase,
        result,
        failureSummary,
        supersededBy,
        cancelledBy,
        workflowId,
        temporalRunId,
        host,
        planOrigin,
        idempotencyKey,
        target,
        args,
        queuedAt,
        startedAt,
        finishedAt,
        elapsedSeconds,
        triggeredBy,
        retryOf,
        false,
        false);
  }

  /** A run that retries none. */
  public RunRecord(
      long id,
      String repo,
      String ref,
      String branch,
      String sha,
      String arch,
      String lane,
      String mr,
      String priority,
      boolean supersede,
      String version,
      Phase phase,
      Result result,
      String failureSummary,
      Long supersededBy,
      String cancelledBy,
      String workflowId,
      String temporalRunId,
      String host,
      String planOrigin,
      String idempotencyKey,
      String target,
      List<String> args,
      Instant queuedAt,
      Instant startedAt,
      Instant finishedAt,
      long elapsedSeconds,
      String triggeredBy) {
    this(
        id,
        repo,
        ref,
        branch,
        sha,
        arch,
        lane,
        mr,
        priority,
        supersede,
        version,
        phase,
        result,
        failureSummary,
        supersededBy,
        cancelledBy,
        workflowId,
        temporalRunId,
        host,
        planOrigin,
        idempotencyKey,
        target,
        args,
        queuedAt,
        startedAt,
        finishedAt,
        elapsedSeconds,
        triggeredBy,
        null);
  }
}
