package dev.kiln.api.runs;

import dev.kiln.workflows.activities.TestCounts;
import java.time.Instant;
import java.util.List;

/**
 * {@code GET /runs/{id}}: the run view of DESIGN.md §5, field for field, plus {@code
 * waiting_reason}: why a queued run waits ("waiting for a free slot on x86_64: 2 builds ahead", "no
 * worker polls kiln-build-riscv64"), null unless the run is queued; and where it runs: {@code host}
 * (the host of its latest attempt, once fetched) and {@code restarts}, one entry each time it
 * started over because its host was lost; and who asked for it: {@code triggered_by}, the name of
 * the API token that started it ({@code loopback} on the dev stack without one), as {@code
 * cancelled_by} names the one that cancelled it.
 */
public record RunView(
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
    Long supersededBy,
    String cancelledBy,
    String waitingReason,
    List<Gate> gates,
    List<Artifact> artifacts,
    Temporal temporal,
    String host,
    List<Restart> restarts,
    String triggeredBy) {

  /**
   * @param tests {@code null} when the gate produced no JUnit reports
   * @param logRef the gate's log: {@code /runs/{id}/logs?step=gate:<name>}
   */
  public record Gate(
      String name,
      String status,
      boolean required,
      String summary,
      TestCounts tests,
      String logRef) {}

  public record Artifact(String path, long size, String sha256) {}

  /**
   * @param note {@code restarted on <host>: previous host lost (<previous host>)}
   */
  public record Restart(
      int attempt, String host, String previousHost, String note, Instant restartedAt) {}

  /**
   * @param runId Temporal's run id of the workflow execution; {@code null} until it started
   */
  public record Temporal(String workflowId, String runId, String uiUrl) {}
}
