package dev.kiln.api.runs;

import dev.kiln.api.flaky.FlakyRuns;
import dev.kiln.api.metrics.BuildMetrics;
import dev.kiln.api.web.ApiException;
import dev.kiln.workflows.Result;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * A run's terminal write, wherever it comes from (its workflow through the ledger, or a cancel of a
 * run whose workflow is gone): the result and the closing of its gates in one transaction, so
 * nobody reads a finished run with a gate still pending. From then on the run's view never changes
 * ({@code RunViews} caches it), and only the first terminal write counts.
 */
@Service
public class RunEndings {

  private static final Logger log = LoggerFactory.getLogger(RunEndings.class);

  private final RunRepository runs;
  private final GateRunRepository gates;
  private final BuildMetrics metrics;
  private final FlakyRuns flaky;

  public RunEndings(
      RunRepository runs, GateRunRepository gates, BuildMetrics metrics, FlakyRuns flaky) {
    this.runs = runs;
    this.gates = gates;
    this.metrics = metrics;
    this.flaky = flaky;
  }

  /**
   * @return whether this was the first terminal write (later ones change nothing)
   * @throws ApiException 404 for a run the ledger does not know
   */
  @Transactional
  public boolean finished(long runId, Result result, String failureSummary) {
    return recordEnd(runId, result, runs.finish(runId, result, failureSummary, null));
  }

  /** The run ended aborted because run {@code byRunId} of its lane replaced it. */
  @Transactional
  public boolean superseded(long runId, long byRunId) {
    return recordEnd(
        runId,
        Result.ABORTED,
        runs.finish(runId, Result.ABORTED, "superseded by run " + byRunId, byRunId));
  }

  private boolean recordEnd(long runId, Result result, boolean applied) {
    if (applied) {
      // Gates the run never reached (or left running when cancelled) must not look pending.
      gates.closeUnfinished(runId);
      if (result == Result.PASSED) {
        // in this transaction: a passed retry is flaky from its view's first read on
        flaky.passed(runId);
      }
      log.info("run {} finished: {}", runId, result.wireName());
      runs.find(runId).ifPresent(metrics::runEnded);
    } else if (!runs.exists(runId)) {
      throw ApiException.runNotFound(runId);
    } else {
      log.info("run {} already finished; ignored a later {}", runId, result.wireName());
    }
    return applied;
  }
}
