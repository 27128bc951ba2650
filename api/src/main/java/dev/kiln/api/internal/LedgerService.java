package dev.kiln.api.internal;

import dev.kiln.api.logs.LogIngest;
import dev.kiln.api.metrics.BuildMetrics;
import dev.kiln.api.runs.GateRunRepository;
import dev.kiln.api.runs.GateRunRepository.PlannedGate;
import dev.kiln.api.runs.RunRecord;
import dev.kiln.api.runs.RunRepository;
import dev.kiln.api.runs.RunRestartRepository;
import dev.kiln.api.web.ApiException;
import dev.kiln.workflows.LogChunk;
import dev.kiln.workflows.Phase;
import dev.kiln.workflows.activities.GateStatus;
import dev.kiln.workflows.activities.RunRestart;
import dev.kiln.workflows.activities.TestCounts;
import dev.kiln.workflows.internal.InternalBodies.Resolved;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Applies what the workflow reports (through the worker's ledger activities) to the run ledger.
 * Every operation is idempotent, and none changes a run that already has a terminal result except
 * to close its gates.
 */
@Service
public class LedgerService {

  private static final Logger log = LoggerFactory.getLogger(LedgerService.class);

  private final RunRepository runs;
  private final GateRunRepository gates;
  private final RunRestartRepository restarts;
  private final LogIngest logs;
  private final BuildMetrics metrics;

  public LedgerService(
      RunRepository runs,
      GateRunRepository gates,
      RunRestartRepository restarts,
      LogIngest logs,
      BuildMetrics metrics) {
    this.runs = runs;
    this.gates = gates;
    this.restarts = restarts;
    this.logs = logs;
    this.metrics = metrics;
  }

  /**
   * Records that the run started over on {@code host} after losing {@code previousHost}: a restart
   * in the run view, and the note as a {@value LogIngest#STEP} line at {@code logSeq}, between the
   * two attempts' lines. Both are idempotent, so a retried report changes nothing.
   */
  @Transactional
  public void restarted(long runId, int attempt, String host, String previousHost, long logSeq) {
    if (!runs.exists(runId)) {
      throw ApiException.runNotFound(runId);
    }
    if (restarts.record(runId, attempt, host, previousHost)) {
      log.info("run {} restarted on {} (attempt {}): {} lost", runId, host, attempt, previousHost);
    }
    byte[] line = (RunRestart.note(host, previousHost) + "\n").getBytes(StandardCharsets.UTF_8);
    logs.append(runId, List.of(new LogChunk(logSeq, LogIngest.STEP, 0L, null, line)));
  }

  /**
   * Adds labels the run's kiln.yaml requires to those it was asked for: hosts with them poll its
   * queue, and a retry requires them too.
   */
  public void requires(long runId, List<String> labels) {
    if (!runs.exists(runId)) {
      throw ApiException.runNotFound(runId);
    }
    runs.addRequires(runId, labels);
    log.info("run {} requires [{}]", runId, String.join(", ", labels));
  }

  /** Ignored once the run is terminal. */
  public void phaseChanged(long runId, Phase phase) {
    RunRecord before = runs.find(runId).orElseThrow(() -> ApiException.runNotFound(runId));
    if (runs.updatePhase(runId, phase)) {
      log.info("run {} is {}", runId, phase.wireName());
      runs.find(runId).ifPresent(after -> metrics.phaseChanged(before, after));
    }
  }

  /**
   * Records what fetch resolved and lists the plan's gates as pending, replacing earlier ones (a
   * run restarted on another host resolves again), then the phase the run enters with it, if the
   * report names one. Ignored once the run is terminal, so a late retry cannot wipe the gate
   * results of a finished run.
   *
   * @param resolved the worker's report, checked: each gate named once, {@code required} set, the
   *     phase one of {@link Phase}'s wire names
   */
  @Transactional
  public void resolved(long runId, Resolved resolved) {
    List<PlannedGate> plannedGates =
        resolved.gates().stream()
            .map(gate -> new PlannedGate(gate.name(), gate.required()))
            .toList();
    if (runs.recordResolved(
        runId,
        resolved.sha(),
        resolved.branch(),
        resolved.version(),
        resolved.host(),
        resolved.planOrigin())) {
      gates.replaceAll(runId, plannedGates);
      log.info(
          "run {} resolved to {} on {} with {} gates",
          runId,
          resolved.sha(),
          resolved.host(),
          plannedGates.size());
    } else if (!runs.exists(runId)) {
      throw ApiException.runNotFound(runId);
    }
    if (resolved.phase() != null) {
      phaseChanged(runId, InternalInput.phase(resolved.phase()));
    }
  }

  /**
   * Records a gate's status. A gate that starts running moves a run still compiling or staging to
   * {@code gating}: the workflow then sends no report of the phase of its own (its {@code
   * gate-start-unwaited} version), one round trip fewer before the gate's command.
   */
  public void gateChanged(
      long runId, String name, GateStatus status, String summary, TestCounts tests) {
    RunRecord run = runs.find(runId).orElseThrow(() -> ApiException.runNotFound(runId));
    if (!gates.update(runId, name, status, summary, tests, run.result().isTerminal())) {
      throw ApiException.notFound("run " + runId + " has no gate \"" + name + "\"");
    }
    if (status == GateStatus.RUNNING
        && (run.phase() == Phase.COMPILING || run.phase() == Phase.STAGING)) {
      phaseChanged(runId, Phase.GATING);
    }
  }
}
