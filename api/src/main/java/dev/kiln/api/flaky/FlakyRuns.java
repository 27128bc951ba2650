package dev.kiln.api.flaky;

import dev.kiln.api.repos.RegisteredRepo;
import dev.kiln.api.runs.RunRecord;
import dev.kiln.api.runs.RunRepository;
import dev.kiln.workflows.Result;
import dev.kiln.workflows.failure.FailureKind;
import dev.kiln.workflows.failure.FailureKinds;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * Marks a passed retry flaky when the run it retries failed on the same commit, and records the
 * tests that failed there and passed here. Runs in the transaction of the retry's terminal write
 * (see {@code RunEndings}): the view of a finished run is final from its first read, and the counts
 * are taken exactly once, with the one write that ended the run.
 */
@Service
public class FlakyRuns {

  private static final Logger log = LoggerFactory.getLogger(FlakyRuns.class);

  private final RunRepository runs;
  private final FlakyTestRepository tests;

  public FlakyRuns(RunRepository runs, FlakyTestRepository tests) {
    this.runs = runs;
    this.tests = tests;
  }

  /** Called once, when run {@code runId} has just ended {@code passed}. */
  public void passed(long runId) {
    RunRecord retry = runs.find(runId).orElse(null);
    if (retry == null || retry.retryOf() == null) {
      return;
    }
    RunRecord failed = runs.find(retry.retryOf()).orElse(null);
    if (failed == null || !isFlaky(failed, retry)) {
      return;
    }
    runs.markFlaky(runId);
    int counted = tests.recordFlaky(RegisteredRepo.key(retry.repo()), failed.id(), runId);
    log.info(
        "run {} is flaky: it passed where run {} failed on {} ({} tests failed then passed)",
        runId,
        failed.id(),
        retry.sha(),
        counted);
  }

  /**
   * Whether {@code retry}, which passed, makes a flake of {@code original}, the run it retries:
   * that one failed on the same commit, and not for a reason outside the code (a lost host, an
   * unreachable repository), which says nothing about the code's own verdict.
   */
  static boolean isFlaky(RunRecord original, RunRecord retry) {
    return retry.result() == Result.PASSED
        && original.result() == Result.FAILED
        && original.sha() != null
        && Objects.equals(original.sha(), retry.sha())
        && FailureKinds.classify(original.failureSummary()) != FailureKind.INFRASTRUCTURE;
  }
}
