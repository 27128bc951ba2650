package dev.kiln.api.retry;

import dev.kiln.api.runs.RunRecord;
import dev.kiln.workflows.Result;
import dev.kiln.workflows.failure.FailureKind;
import dev.kiln.workflows.failure.FailureKinds;
import dev.kiln.workflows.submission.LocalSubmissions;
import java.util.List;

/** Which failed runs Kiln retries by itself: the rules, apart from the ledger that applies them. */
final class AutomaticRetryPolicy {

  /**
   * Infrastructure failures another attempt would not mend: a run no worker took has waited for one
   * already ({@code kiln.dispatch.no-worker-timeout}), and its retry would only wait as long again;
   * a workflow terminated in Temporal was stopped by someone on purpose.
   */
  private static final List<String> NOT_RETRIED =
      List.of("no worker for ", "the run's workflow was terminated");

  private AutomaticRetryPolicy() {}

  /**
   * Whether {@code run} failed in a way Kiln retries by itself: for a reason outside its code, not
   * one of {@link #NOT_RETRIED}, and not a local submission (its upload builds once). Build, test,
   * timeout and out-of-memory failures are the code's, and never retried.
   */
  static boolean retries(RunRecord run) {
    if (run.result() != Result.FAILED || LocalSubmissions.isSubmission(run.repo())) {
      return false;
    }
    String summary = run.failureSummary() == null ? "" : run.failureSummary().strip();
    return FailureKinds.classify(summary) == FailureKind.INFRASTRUCTURE
        && NOT_RETRIED.stream().noneMatch(summary::startsWith);
  }

  /**
   * Whether a run that is the {@code automaticRetriesBefore}-th automatic retry in a row (0: a run
   * someone asked for) may be retried once more under {@code kiln.retry.infrastructure-attempts}.
   */
  static boolean withinAttempts(int automaticRetriesBefore, int attempts) {
    return automaticRetriesBefore < attempts;
  }
}
