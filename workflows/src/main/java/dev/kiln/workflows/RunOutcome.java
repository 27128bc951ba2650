package dev.kiln.workflows;

/** What a {@code RebuildWorkflow} ended with; the same thing the ledger recorded. */
public record RunOutcome(Result result, String failureSummary) {

  public static RunOutcome passed() {
    return new RunOutcome(Result.PASSED, null);
  }

  public static RunOutcome failed(String failureSummary) {
    return new RunOutcome(Result.FAILED, failureSummary);
  }

  /** A newer run in the same lane took this one's place. */
  public static RunOutcome superseded(long byRunId) {
    return new RunOutcome(Result.ABORTED, "superseded by run " + byRunId);
  }
}
