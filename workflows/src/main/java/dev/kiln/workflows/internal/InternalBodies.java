package dev.kiln.workflows.internal;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.kiln.workflows.LogChunk;
import java.util.List;
import java.util.Map;

/**
 * Request and response bodies of {@code /internal} (docs/internal-api.md), shared by the api's
 * controllers and the worker's client so neither side can change one alone. On the wire every name
 * is snake_case ({@link InternalJson}). Unlike the public API, the requests ignore unknown fields:
 * during a rolling upgrade a newer worker may send a field this api does not know yet, and
 * rejecting it would stall every run that worker reports on.
 */
public final class InternalBodies {

  private InternalBodies() {}

  /** {@code POST /internal/runs/{id}/phase}. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record PhaseChange(String phase) {}

  /**
   * {@code POST /internal/runs/{id}/resolved}.
   *
   * @param phase the phase the run enters with the resolution, recorded in the same transaction
   *     ({@code compiling}); absent when the workflow reports it apart
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Resolved(
      String sha,
      String branch,
      String version,
      String host,
      String planOrigin,
      List<PlannedGate> gates,
      String phase) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record PlannedGate(String name, Boolean required) {}

  /** {@code POST /internal/runs/{id}/gates/{name}}. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record GateChange(String status, String summary, Tests tests) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Tests(Integer total, Integer failed, Integer skipped) {}

  /** {@code POST /internal/runs/{id}/finish}. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Finish(String result, String failureSummary) {}

  /** The answer of {@code …/finish} and {@code …/supersede}: whether the run took this result. */
  public record FinishAnswer(boolean applied) {}

  /** {@code POST /internal/runs/{id}/supersede}. */
  public record Supersede(Long supersededBy, String failureSummary) {}

  /**
   * {@code POST /internal/runs/{id}/requires}: labels the run also requires (its kiln.yaml's {@code
   * requires:}), added to those it was asked for.
   */
  public record Requires(List<String> labels) {}

  /** {@code POST /internal/runs/{id}/restarted}. */
  public record Restarted(Integer attempt, String host, String previousHost, Long logSeq) {}

  /** {@code POST /internal/runs/{id}/attempt}: the attempt that begins (2 or more). */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record AttemptStarted(Integer attempt) {}

  /** The answer of {@code …/attempt}: the run's current attempt, this one or a later one. */
  public record AttemptAnswer(int current) {}

  /** {@code POST /internal/runs/{id}/gates/{name}/tests}: tests {@code first} … of the gate. */
  public record TestsPart(Integer first, Integer total, List<TestEntry> tests) {}

  public record TestEntry(
      String suite,
      String name,
      String status,
      Long durationMs,
      String message,
      String file,
      Integer line) {}

  /** {@code POST /internal/runs/{id}/sandbox}. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record SandboxReport(String sandbox, Limits limits) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Limits(
      Long memoryBytes,
      Double cpus,
      Integer pids,
      Long diskBytes,
      Long timeoutSeconds,
      Boolean network,
      String enforcedBy) {}

  /** {@code POST /internal/runs/{id}/usage}. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record UsageReport(String step, Integer command, Long peakMemoryBytes, Long cpuMillis) {}

  /** {@code POST /internal/runs/{id}/logs}. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record LogBatch(List<LogChunk> chunks) {}

  /**
   * The answer to {@code POST /internal/runs/{id}/logs}.
   *
   * @param followed whether anyone follows the run's log live (a log stream open on any api
   *     instance): if so the build host sends the run's next chunks as they are cut, if not it may
   *     gather them for up to a second into one request
   */
  public record LogsAnswer(boolean followed) {}

  /**
   * {@code POST /internal/hosts/{host}}.
   *
   * @param busy builds holding one of the host's slots
   * @param cpu fraction of the machine's CPU in use
   * @param memory fraction of the machine's memory in use
   * @param runs the runs holding a workspace on the host, whose end it wants to hear of
   * @param labels the host's labels: configured ones and the toolchains it detected
   * @param version the Kiln version the worker runs
   * @param draining whether the host takes no new build because it is draining
   * @param process the worker process's id (part of its host queue): a drain asked of one process
   *     does not outlive it, so a worker restarted on the host takes builds again
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record HostStatus(
      List<String> archs,
      Integer slots,
      Integer busy,
      Double cpu,
      Double memory,
      Boolean pausedForResources,
      List<Long> runs,
      List<String> labels,
      String version,
      Boolean draining,
      String process) {

    /** A report without labels, version or drain state (tests, older workers). */
    public HostStatus(
        List<String> archs,
        Integer slots,
        Integer busy,
        Double cpu,
        Double memory,
        Boolean pausedForResources,
        List<Long> runs) {
      this(archs, slots, busy, cpu, memory, pausedForResources, runs, null, null, null, null);
    }
  }

  /**
   * @param ended the reported runs that are over: their workspaces and slots can go
   * @param drain whether the host should drain (an operator's {@code PUT /workers/{host}/drain} for
   *     this process); null from an api that predates draining
   * @param wanted the labelled fetch queues runs are waiting on that this host can serve: the host
   *     polls these besides its arch queues
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record HostAnswer(List<Long> ended, Boolean drain, List<LabelledQueue> wanted) {

    public HostAnswer(List<Long> ended) {
      this(ended, null, null);
    }
  }

  /** A fetch queue of runs of {@code arch} that require {@code labels}. */
  public record LabelledQueue(String arch, List<String> labels) {}

  /**
   * The answer of {@code GET /internal/archs/{arch}/served}.
   *
   * @param arch the architecture's normal name
   * @param served whether a build host reporting that arch is alive
   */
  public record ArchServed(String arch, Boolean served) {}

  /** The answer of {@code PUT /internal/runs/{id}/artifacts?path=…}. */
  public record ArtifactAnswer(String path, long size, String sha256) {}

  /**
   * {@code POST /internal/retention}: at most {@code limit} runs (the batch size when null). The
   * worker sends {@code {}}, leaving the batch size to the api.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record RetentionRequest(Integer limit) {}

  /** What one retention batch removed; {@code more}: call again. */
  public record RetentionAnswer(int runs, long logChunks, int artifacts, boolean more) {}

  /**
   * {@code POST /internal/repos/{id}/heads}: the branch heads a poll of a registered repository's
   * remote listed, for the api to build those that moved.
   *
   * @param url the URL the poll listed; the api builds nothing when the registration has another
   * @param triggeredBy recorded as the runs' {@code triggered_by}
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Heads(String url, String triggeredBy, List<Head> heads) {}

  /** A branch ({@code main}, not {@code refs/heads/main}) and the commit it points at. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Head(String branch, String sha) {}

  /**
   * What a poll started: one entry per branch that moved, with a run per architecture.
   *
   * @param note why nothing was started, when that is not simply "nothing moved"
   */
  public record HeadsAnswer(List<HeadBuild> started, String note) {}

  /** The runs started for one moved branch. */
  public record HeadBuild(String branch, String sha, List<Long> runIds) {}

  /** {@code POST /internal/runs/{id}/secrets}: the secrets one step names. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record SecretsRequest(List<String> names) {}

  /**
   * The answer of {@code POST /internal/runs/{id}/secrets}.
   *
   * @param values name to value, for the names the repository has a secret of; empty when withheld
   * @param missing the names it has none of
   * @param withheld why the run gets no secrets at all (a merge request's build), or null
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record SecretsAnswer(Map<String, String> values, List<String> missing, String withheld) {

    public SecretsAnswer {
      values = values == null ? Map.of() : Map.copyOf(values);
      missing = missing == null ? List.of() : List.copyOf(missing);
    }

    /** Names only: the values must not reach a log line through this record. */
    @Override
    public String toString() {
      return "SecretsAnswer[names="
          + values.keySet()
          + ", missing="
          + missing
          + ", withheld="
          + withheld
          + "]";
    }
  }
}
