package dev.kiln.api.runs;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.kiln.workflows.submission.LocalSubmissions;
import java.time.Instant;

/**
 * A run in {@code GET /runs}: the run view without its gates and artifacts.
 *
 * @param failureKind of a failed run: {@code build}, {@code test}, {@code timeout}, {@code oom} or
 *     {@code infrastructure}, read from its failure summary; {@code null} for any other result
 * @param retryOf the run this one retries ({@code POST /runs/{id}/retry})
 * @param retriedBy of a retry: {@code automatic} when Kiln retried an infrastructure failure by
 *     itself, else the name of the caller of {@code POST /runs/{id}/retry}; {@code null} otherwise
 * @param flaky a retry that passed where the run it retries, of the same commit, failed: green, but
 *     not plainly
 */
public record RunSummary(
    long runId,
    String repo,
    String ref,
    String branch,
    String sha,
    String arch,
    String lane,
    String mr,
    String priority,
    String version,
    String phase,
    String result,
    Instant queuedAt,
    Instant startedAt,
    Instant finishedAt,
    long elapsedS,
    String failureSummary,
    String failureKind,
    Long supersededBy,
    String cancelledBy,
    Long retryOf,
    RunView.Temporal temporal,
    String retriedBy,
    boolean flaky) {

  /** {@code retried_by} of a retry Kiln started by itself. */
  public static final String AUTOMATIC = "automatic";

  /** A run that is no retry, or a retry whose caller is not said, and not flaky. */
  public RunSummary(
      long runId,
      String repo,
      String ref,
      String branch,
      String sha,
      String arch,
      String lane,
      String mr,
      String priority,
      String version,
      String phase,
      String result,
      Instant queuedAt,
      Instant startedAt,
      Instant finishedAt,
      long elapsedS,
      String failureSummary,
      String failureKind,
      Long supersededBy,
      String cancelledBy,
      Long retryOf,
      RunView.Temporal temporal) {
    this(
        runId,
        repo,
        ref,
        branch,
        sha,
        arch,
        lane,
        mr,
        priority,
        version,
        phase,
        result,
        queuedAt,
        startedAt,
        finishedAt,
        elapsedS,
        failureSummary,
        failureKind,
        supersededBy,
        cancelledBy,
        retryOf,
        temporal,
        null,
        false);
  }

  /** Who retried {@code run}: see {@code retried_by}. */
  static String retriedBy(RunRecord run) {
    if (run.retryOf() == null) {
      return null;
    }
    return run.retriedAutomatically() ? AUTOMATIC : run.triggeredBy();
  }

  /**
   * {@code local} for a local submission ({@code POST /submissions}, {@code repo} {@code
   * local:<name>}), {@code git} for a run of a commit fetched from its repository.
   */
  @JsonProperty("source")
  public String source() {
    return LocalSubmissions.source(repo);
  }
}
