package dev.kiln.api.culprit;

import dev.kiln.api.config.KilnProperties;
import dev.kiln.api.notify.Notifier;
import dev.kiln.api.runs.NewRun;
import dev.kiln.api.runs.RunRecord;
import dev.kiln.api.runs.RunRepository;
import dev.kiln.api.web.ApiException;
import dev.kiln.workflows.RebuildRequest;
import dev.kiln.workflows.Result;
import dev.kiln.workflows.RunPriority;
import dev.kiln.workflows.SupersedePolicy;
import dev.kiln.workflows.culprit.BisectReport;
import dev.kiln.workflows.culprit.FailureSignature;
import dev.kiln.workflows.failure.FailureKind;
import dev.kiln.workflows.failure.FailureKinds;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * What the culprit finder asks of the ledger, without Temporal: bisect builds recorded as runs of
 * their own, how a run failed, whether its lane was fixed, and where a bisection stands.
 */
@Service
public class Bisections {

  /** The step of every failure before the gates: the build itself. */
  static final String COMPILE = "compile";

  private static final Logger log = LoggerFactory.getLogger(Bisections.class);

  private final RunRepository runs;
  private final CulpritStore store;
  private final Notifier notifier;
  private final Duration noWorkerTimeout;

  public Bisections(
      RunRepository runs, CulpritStore store, Notifier notifier, KilnProperties properties) {
    this.runs = runs;
    this.store = store;
    this.notifier = notifier;
    this.noWorkerTimeout = properties.dispatch().noWorkerTimeout();
  }

  /**
   * The lane a failed run's bisect builds are recorded in: not the lane's own, so that they neither
   * supersede its runs nor count as its verdicts.
   */
  public static String bisectLane(String lane) {
    return lane + "~bisect";
  }

  /**
   * Records a low-priority run of {@code sha} bisecting run {@code failingRunId}, with what that
   * run asked for (target, args, labels). {@code key} makes a retried call find the run it recorded
   * instead of recording another.
   */
  public RebuildRequest recordBuild(long failingRunId, String sha, String key) {
    RunRecord failing = failing(failingRunId);
    List<String> requires = store.requires(failingRunId);
    NewRun build =
        new NewRun(
                failing.repo(),
                sha,
                failing.arch(),
                bisectLane(failing.lane()),
                null,
                RunPriority.LOW,
                false,
                failing.target(),
                failing.args(),
                key,
                null,
                SupersedePolicy.CANCEL_RUNNING)
            .withRequires(requires);
    Optional<Long> inserted = runs.insert(build, "culprit finder of run " + failingRunId);
    long runId = inserted.orElseGet(() -> runs.findByIdempotencyKey(key).orElseThrow().id());
    store.markBisectBuild(runId, failingRunId);
    inserted.ifPresent(id -> log.info("run {}: bisect build {} of {}", failingRunId, id, sha));
    return new RebuildRequest(
        runId,
        failing.repo(),
        sha,
        failing.arch(),
        null,
        RunPriority.LOW.wireName(),
        failing.target(),
        failing.args(),
        noWorkerTimeout.toSeconds(),
        null,
        requires);
  }

  /**
   * How an ended run failed: the gate its summary names, with the tests that gate reported failed;
   * {@code infrastructure} for a failure outside the code; {@code compile} for any other.
   */
  public FailureSignature failureOf(long runId) {
    RunRecord run = runs.find(runId).orElseThrow(() -> ApiException.runNotFound(runId));
    if (run.result() != Result.FAILED) {
      return new FailureSignature(null, List.of());
    }
    if (FailureKinds.classify(run.failureSummary()) == FailureKind.INFRASTRUCTURE) {
      return new FailureSignature(FailureSignature.INFRASTRUCTURE, List.of());
    }
    return FailureKinds.failedGate(run.failureSummary())
        .map(gate -> new FailureSignature("gate " + gate, store.failedTests(runId, gate)))
        .orElseGet(() -> new FailureSignature(COMPILE, List.of()));
  }

  /** The newer run of the failed run's lane that passed, or 0. */
  public long laneFixedBy(long failingRunId) {
    RunRecord failing = failing(failingRunId);
    return store.laterPass(failing.lane(), failingRunId).orElse(0);
  }

  /** Stores the report; a culprit named is told to the repository's webhooks. */
  public void report(long failingRunId, BisectReport report) {
    failing(failingRunId);
    store.save(failingRunId, report);
    log.info("run {}: bisection {}: {}", failingRunId, report.status(), report.note());
    if (BisectReport.FOUND.equals(report.status())) {
      notifier.culpritNamed(failingRunId);
    }
  }

  private RunRecord failing(long failingRunId) {
    return runs.find(failingRunId).orElseThrow(() -> ApiException.runNotFound(failingRunId));
  }
}
