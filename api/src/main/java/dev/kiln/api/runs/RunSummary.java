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
    RunView.Temporal temporal) {

  /**
   * {@code local} for a local submission ({@code POST /submissions}, {@code repo} {@code
   * local:<name>}), {@code git} for a run of a commit fetched from its repository.
   */
  @JsonProperty("source")
  public String source() {
    return LocalSubmissions.source(repo);
  }
}
