package dev.kiln.api.internal;

import dev.kiln.api.culprit.CulpritStarts;
import dev.kiln.api.fencing.AttemptFence;
import dev.kiln.api.notify.Notifier;
import dev.kiln.api.retry.AutomaticRetries;
import dev.kiln.api.runs.RunEndings;
import dev.kiln.api.web.ApiException;
import dev.kiln.api.web.RunIds;
import dev.kiln.workflows.Phase;
import dev.kiln.workflows.WorkerLabels;
import dev.kiln.workflows.activities.GateStatus;
import dev.kiln.workflows.activities.TestCounts;
import dev.kiln.workflows.internal.AttemptFencing;
import dev.kiln.workflows.internal.InternalBodies.Finish;
import dev.kiln.workflows.internal.InternalBodies.FinishAnswer;
import dev.kiln.workflows.internal.InternalBodies.GateChange;
import dev.kiln.workflows.internal.InternalBodies.PhaseChange;
import dev.kiln.workflows.internal.InternalBodies.PlannedGate;
import dev.kiln.workflows.internal.InternalBodies.Requires;
import dev.kiln.workflows.internal.InternalBodies.Resolved;
import dev.kiln.workflows.internal.InternalBodies.Restarted;
import dev.kiln.workflows.internal.InternalBodies.Supersede;
import dev.kiln.workflows.internal.InternalPaths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** The run ledger half of docs/internal-api.md: phase, resolved, restarted, gates, finish. */
@RestController
class InternalRunsController {

  private final LedgerService ledger;
  private final RunEndings endings;
  private final Notifier notifier;
  private final AutomaticRetries retries;
  private final AttemptFence fence;
  private final CulpritStarts culprits;

  InternalRunsController(
      LedgerService ledger,
      RunEndings endings,
      Notifier notifier,
      AutomaticRetries retries,
      AttemptFence fence,
      CulpritStarts culprits) {
    this.fence = fence;
    this.ledger = ledger;
    this.endings = endings;
    this.notifier = notifier;
    this.retries = retries;
    this.culprits = culprits;
  }

  @PostMapping(path = InternalPaths.PHASE, consumes = MediaType.APPLICATION_JSON_VALUE)
  @ResponseStatus(HttpStatus.NO_CONTENT)
  void phase(
      @PathVariable String id,
      @RequestHeader(name = AttemptFencing.ATTEMPT_HEADER, required = false) Integer attempt,
      @RequestBody PhaseChange body) {
    long runId = RunIds.parse(id);
    Phase phase = InternalInput.phase(body.phase());
    // with an attempt: the build host that starts a fetch; without: the workflow
    fence.guarded(
        runId,
        attempt,
        "phase",
        () -> {
          ledger.phaseChanged(runId, phase);
          return null;
        });
  }

  @PostMapping(path = InternalPaths.RESOLVED, consumes = MediaType.APPLICATION_JSON_VALUE)
  @ResponseStatus(HttpStatus.NO_CONTENT)
  void resolved(@PathVariable String id, @RequestBody Resolved body) {
    long runId = RunIds.parse(id);
    ledger.resolved(
        runId,
        new Resolved(
            InternalInput.sha(body.sha()),
            InternalInput.text(body.branch(), 255),
            InternalInput.text(body.version(), 255),
            InternalInput.text(body.host(), 255),
            InternalInput.text(body.planOrigin(), 1000),
            plannedGates(body.gates()),
            body.phase() == null ? null : InternalInput.phase(body.phase()).wireName()));
    // after the commit: the notification reads the resolved commit and gates
    notifier.runStarted(runId);
  }

  @PostMapping(path = InternalPaths.GATE, consumes = MediaType.APPLICATION_JSON_VALUE)
  @ResponseStatus(HttpStatus.NO_CONTENT)
  void gate(
      @PathVariable String id,
      @PathVariable String name,
      @RequestHeader(name = AttemptFencing.ATTEMPT_HEADER, required = false) Integer attempt,
      @RequestBody GateChange body) {
    long runId = RunIds.parse(id);
    String gate = InternalInput.name("gate name", name);
    GateStatus status = InternalInput.gateStatus(body.status());
    String summary = InternalInput.text(body.summary(), InternalInput.MAX_SUMMARY);
    TestCounts tests =
        body.tests() == null
            ? null
            : new TestCounts(
                InternalInput.count("tests.total", body.tests().total()),
                InternalInput.count("tests.failed", body.tests().failed()),
                InternalInput.count("tests.skipped", body.tests().skipped()));
    // with an attempt: the build host that starts a gate; without: the workflow
    fence.guarded(
        runId,
        attempt,
        "gate",
        () -> {
          ledger.gateChanged(runId, gate, status, summary, tests);
          return null;
        });
  }

  @PostMapping(path = InternalPaths.FINISH, consumes = MediaType.APPLICATION_JSON_VALUE)
  FinishAnswer finish(@PathVariable String id, @RequestBody Finish body) {
    long runId = RunIds.parse(id);
    boolean first =
        endings.finished(runId, InternalInput.terminalResult(body.result()), body.failureSummary());
    // on a repeated report too: the first may have ended before its notifications started
    notifier.runEnded(runId);
    // and before its automatic retry was recorded or started
    retries.runEnded(runId);
    culprits.runEnded(runId);
    return new FinishAnswer(first);
  }

  @PostMapping(path = InternalPaths.SUPERSEDE, consumes = MediaType.APPLICATION_JSON_VALUE)
  FinishAnswer supersede(@PathVariable String id, @RequestBody Supersede body) {
    long runId = RunIds.parse(id);
    if (body.supersededBy() == null || body.supersededBy() <= 0 || body.supersededBy() == runId) {
      throw ApiException.badRequest("superseded_by: must be the id of another run");
    }
    boolean first = endings.superseded(runId, body.supersededBy());
    notifier.runEnded(runId);
    return new FinishAnswer(first);
  }

  @PostMapping(path = InternalPaths.RESTARTED, consumes = MediaType.APPLICATION_JSON_VALUE)
  @ResponseStatus(HttpStatus.NO_CONTENT)
  void restarted(@PathVariable String id, @RequestBody Restarted body) {
    if (body.attempt() == null || body.attempt() < 2) {
      throw ApiException.badRequest("attempt: must be 2 or more (the first restart is attempt 2)");
    }
    if (body.logSeq() == null || body.logSeq() < 0) {
      throw ApiException.badRequest("log_seq: must be a sequence number, 0 or more");
    }
    String host = InternalInput.text(body.host(), 255);
    if (host == null || host.isBlank()) {
      throw ApiException.badRequest("host: must name the host the run restarted on");
    }
    ledger.restarted(
        RunIds.parse(id),
        body.attempt(),
        host,
        InternalInput.text(body.previousHost(), 255),
        body.logSeq());
  }

  @PostMapping(path = InternalPaths.REQUIRES, consumes = MediaType.APPLICATION_JSON_VALUE)
  @ResponseStatus(HttpStatus.NO_CONTENT)
  void requires(@PathVariable String id, @RequestBody Requires body) {
    List<String> labels;
    try {
      labels = WorkerLabels.check("labels", body.labels());
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(e.getMessage());
    }
    if (labels.isEmpty()) {
      throw ApiException.badRequest("labels: name at least one label");
    }
    ledger.requires(RunIds.parse(id), labels);
  }

  /** Each gate named once, {@code required} unless it says otherwise. */
  private static List<PlannedGate> plannedGates(List<PlannedGate> gates) {
    if (gates == null) {
      return List.of();
    }
    List<PlannedGate> planned = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < gates.size(); i++) {
      PlannedGate gate = gates.get(i);
      if (gate == null) {
        throw ApiException.badRequest("gates[" + i + "]: must not be null");
      }
      String name = InternalInput.name("gates[" + i + "].name", gate.name());
      if (!seen.add(name)) {
        throw ApiException.badRequest("gates: gate \"" + name + "\" is listed twice");
      }
      planned.add(new PlannedGate(name, gate.required() == null || gate.required()));
    }
    return planned;
  }
}
