package dev.kiln.api.internal;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * Request and response bodies of {@code /internal} (docs/internal-api.md). Unlike the public API,
 * these ignore unknown fields: during a rolling upgrade a newer worker may send a field this api
 * does not know yet, and rejecting it would stall every run that worker reports on.
 */
final class InternalBodies {

  private InternalBodies() {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record PhaseChange(String phase) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record Resolved(
      String sha,
      String branch,
      String version,
      String host,
      String planOrigin,
      List<PlannedGate> gates) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record PlannedGate(String name, Boolean required) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record GateChange(String status, String summary, Tests tests) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record Tests(Integer total, Integer failed, Integer skipped) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record Finish(String result, String failureSummary) {}

  record FinishAnswer(boolean applied) {}

  record Supersede(Long supersededBy, String failureSummary) {}

  /** {@code POST /internal/runs/{id}/restarted}. */
  record Restarted(Integer attempt, String host, String previousHost, Long logSeq) {}

  /** {@code POST /internal/runs/{id}/gates/{name}/tests}: tests {@code first} … of the gate. */
  record TestsPart(Integer first, Integer total, List<TestEntry> tests) {}

  record TestEntry(
      String suite,
      String name,
      String status,
      Long durationMs,
      String message,
      String file,
      Integer line) {}

  /** {@code POST /internal/runs/{id}/sandbox}. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record SandboxReport(String sandbox, Limits limits) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record Limits(
      Long memoryBytes,
      Double cpus,
      Integer pids,
      Long diskBytes,
      Long timeoutSeconds,
      Boolean network,
      String enforcedBy) {}

  /** {@code POST /internal/runs/{id}/usage}. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record UsageReport(String step, Integer command, Long peakMemoryBytes, Long cpuMillis) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record LogBatch(List<Chunk> chunks) {}

  /**
   * @param data the raw bytes, base64 in JSON
   * @param ts when the worker produced the chunk, RFC 3339
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record Chunk(Long seq, String step, Long offset, OffsetDateTime ts, byte[] data) {}

  /**
   * @param busy builds holding one of the host's slots
   * @param cpu fraction of the machine's CPU in use
   * @param memory fraction of the machine's memory in use
   */
  /**
   * @param runs the runs holding a workspace on the host, whose end it wants to hear of
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record HostStatus(
      List<String> archs,
      Integer slots,
      Integer busy,
      Double cpu,
      Double memory,
      Boolean pausedForResources,
      List<Long> runs) {}

  /**
   * @param ended the reported runs that are over: their workspaces and slots can go
   */
  record HostAnswer(List<Long> ended) {}

  record ArtifactAnswer(String path, long size, String sha256) {}

  /** {@code POST /internal/retention}: at most {@code limit} runs (the batch size when null). */
  record RetentionRequest(Integer limit) {}

  /** What one retention batch removed; {@code more}: call again. */
  record RetentionAnswer(int runs, long logChunks, int artifacts, boolean more) {}
}
