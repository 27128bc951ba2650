package dev.kiln.workflows.failure;

import java.util.List;

/**
 * Reads the kind of a failure from a failed run's summary. Every summary of a failed run is written
 * by Kiln (the workflow, the build host or the api) in the wordings listed here, but a compile's,
 * which is the compiler's own: no wording of Kiln's means the code did not build.
 */
public final class FailureKinds {

  /** The run summary of a failed required gate: {@code gate unit failed: <the gate's summary>}. */
  static final String GATE_PREFIX = "gate ";

  static final String GATE_FAILED = " failed: ";

  /** A step stopped by its timeout: {@code compile timed out after 20m}, a gate's the same. */
  private static final List<String> TIMEOUTS =
      List.of("compile timed out after", "timed out after");

  /** A step killed by the sandbox for its memory: {@code compile killed: memory limit 4 GiB …}. */
  private static final List<String> OUT_OF_MEMORY =
      List.of("compile killed: memory limit", "killed: memory limit");

  /**
   * Failures outside the code: the repository unreachable (the build host's words: {@code fetch of
   * <repo> failed: could not connect}, {@code could not clone <repo>: …}; a local submission's
   * upload: {@code the api is unreachable: …}), no worker (of the arch, or with the labels), a host
   * lost again and again, a step that could not report its files, a workflow that could not start,
   * was terminated or timed out, and an activity's own timeout ({@code timed out
   * (START_TO_CLOSE)}).
   */
  private static final List<String> INFRASTRUCTURE =
      List.of(
          "git fetch failed",
          "fetch of ",
          "could not clone ",
          "the api is unreachable",
          "the api could not send the upload",
          "no worker for ",
          "build host lost",
          "stage failed",
          "could not start",
          "the run's workflow was terminated",
          "the run's workflow timed out",
          "timed out (");

  private FailureKinds() {}

  /** The kind of the failure a failed run's {@code failure_summary} describes. */
  public static FailureKind classify(String failureSummary) {
    String summary = failureSummary == null ? "" : failureSummary.strip();
    String gateSummary = gateSummary(summary);
    if (gateSummary != null) {
      return stepKind(gateSummary, FailureKind.TEST);
    }
    for (String prefix : INFRASTRUCTURE) {
      if (summary.startsWith(prefix)) {
        return FailureKind.INFRASTRUCTURE;
      }
    }
    return stepKind(summary, FailureKind.BUILD);
  }

  /**
   * The gate a failed run's summary names ({@code unit} in {@code gate unit failed: …}); empty when
   * no gate failed it.
   */
  public static java.util.Optional<String> failedGate(String failureSummary) {
    String summary = failureSummary == null ? "" : failureSummary.strip();
    if (gateSummary(summary) == null) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(
        summary.substring(GATE_PREFIX.length(), summary.indexOf(GATE_FAILED)));
  }

  private static FailureKind stepKind(String stepSummary, FailureKind otherwise) {
    if (OUT_OF_MEMORY.stream().anyMatch(stepSummary::startsWith)) {
      return FailureKind.OOM;
    }
    if (TIMEOUTS.stream().anyMatch(stepSummary::startsWith)) {
      return FailureKind.TIMEOUT;
    }
    return otherwise;
  }

  /** What the gate said in {@code gate <name> failed: …} (gate names have no spaces), or null. */
  private static String gateSummary(String summary) {
    if (!summary.startsWith(GATE_PREFIX)) {
      return null;
    }
    int end = summary.indexOf(GATE_FAILED, GATE_PREFIX.length());
    if (end <= GATE_PREFIX.length() || summary.substring(GATE_PREFIX.length(), end).contains(" ")) {
      return null;
    }
    return summary.substring(end + GATE_FAILED.length());
  }
}
