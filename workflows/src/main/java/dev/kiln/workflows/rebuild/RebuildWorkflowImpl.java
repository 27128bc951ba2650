package dev.kiln.workflows.rebuild;

import dev.kiln.workflows.KilnSearchAttributes;
import dev.kiln.workflows.LogSequences;
import dev.kiln.workflows.Phase;
import dev.kiln.workflows.RebuildRequest;
import dev.kiln.workflows.Result;
import dev.kiln.workflows.RunOutcome;
import dev.kiln.workflows.activities.BuildActivities;
import dev.kiln.workflows.activities.CleanupRequest;
import dev.kiln.workflows.activities.CompileRequest;
import dev.kiln.workflows.activities.FetchActivities;
import dev.kiln.workflows.activities.FetchRequest;
import dev.kiln.workflows.activities.FetchResult;
import dev.kiln.workflows.activities.GateRequest;
import dev.kiln.workflows.activities.GateResult;
import dev.kiln.workflows.activities.GateStatus;
import dev.kiln.workflows.activities.GateUpdate;
import dev.kiln.workflows.activities.LedgerActivities;
import dev.kiln.workflows.activities.RunContext;
import dev.kiln.workflows.activities.RunResolved;
import dev.kiln.workflows.activities.RunRestart;
import dev.kiln.workflows.activities.StageRequest;
import dev.kiln.workflows.plan.GateSpec;
import dev.kiln.workflows.plan.PipelinePlan;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;

/**
 * fetch → compile → stage (when the plan declares artifacts) → gates, with cleanup always. Fetch
 * goes to the architecture's shared queue; whichever host takes it owns the workspace, so the rest
 * goes to that host's own queue with a short schedule-to-start timeout: a host that died is noticed
 * quickly, and the run starts over from fetch on another host.
 */
public class RebuildWorkflowImpl implements RebuildWorkflow {

  private static final Logger log = Workflow.getLogger(RebuildWorkflowImpl.class);

  /** Restarts from fetch after a lost host; past this the run fails rather than loop forever. */
  static final int MAX_HOST_ATTEMPTS = 5;

  /**
   * Version of the restart path: 1 reports each restart to the ledger ({@code restarted on <host>:
   * previous host lost}) and lets a restarted fetch wait for a worker without a limit. Histories
   * recorded before it restart without either.
   */
  static final String RESTART_NOTE_CHANGE = "restart-note";

  /**
   * Version of the no-worker check: 1 watches the first fetch and fails the run only when no worker
   * serves its arch at all; before it, a schedule-to-start limit failed runs that merely waited
   * behind busy workers.
   */
  static final String NO_WORKER_WATCH_CHANGE = "no-worker-watch";

  /**
   * Version of a fetch's cancellation: 1 waits until the fetch has ended, and a fetch that ended
   * with a workspace after all (it was taken, or done, before the cancel reached its host) is
   * cleaned up on its host, which otherwise holds a build slot and a workspace for a run that is
   * gone. Before it, a cancelled run ended at once and left both behind.
   */
  static final String FETCH_SETTLES_CHANGE = "fetch-settles";

  /**
   * Version of ledger reporting: 1 sends phases, resolutions, restarts and gate updates from a
   * thread of their own ({@link LedgerReports}), so that neither the fetch nor the compile nor a
   * gate waits for a round trip to the api; before it, each report was waited for.
   */
  static final String LEDGER_IN_BACKGROUND_CHANGE = "ledger-in-background";

  /**
   * Version of kiln.yaml's {@code requires:}: 1 moves a run whose plan requires labels the fetching
   * host lacks to a host with all of them (that host fetches the same commit again), or fails it at
   * once when no live host has them. Asked only for such a run: plans recorded before it never
   * require labels.
   */
  static final String KILN_YAML_REQUIRES_CHANGE = "kiln-yaml-requires";

  /**
   * Version of attempt fencing: 1 makes a restarted attempt the run's current one at the ledger
   * ({@link LedgerActivities#attemptStarted}) and waits for it before the attempt's fetch is
   * scheduled, so nothing the lost host still sends for its attempt is stored once the new attempt
   * has begun. Histories recorded before it restart without that report (the api then learns the
   * new attempt from the new host's first write).
   */
  static final String ATTEMPT_FENCE_CHANGE = "attempt-fence";

  /**
   * Version of the phase reports: 1 sends no {@code fetching} report for the first attempt (the api
   * queued the run, and the host that takes the fetch reports {@code fetching} itself; the
   * workflow's report, which the ledger records as {@code queued}, cost an activity and a workflow
   * task during the fetch and could set a fetching run back to queued), and sends {@code compiling}
   * with the resolution, as one report: one activity and one workflow task fewer each, both while a
   * warm lane's build is being dispatched. Histories recorded before it report both apart.
   */
  static final String LEANER_REPORTS_CHANGE = "leaner-reports";

  /**
   * Version of how reports reach the ledger: 1 sends phases, gates and the terminal write as local
   * activities first ({@link LedgerReports#localStub}), each recorded as a marker in the workflow
   * task that made it instead of an activity task and a workflow task of their own, and as an
   * activity when the api does not take it at once; the resolution, restarts and {@code fetching},
   * made in the tasks that schedule a compile or a fetch, stay activities. Histories recorded
   * before it sent every report as an activity.
   */
  static final String LOCAL_REPORTS_CHANGE = "local-reports";

  /**
   * Version of the stage step: 1 stages only a plan that declares artifacts; a plan without goes
   * from compile straight to its gates, without the stage activity (whose whole work was to log "no
   * artifacts declared"), its workflow task and its {@code staging} report. Histories recorded
   * before it stage every plan.
   */
  static final String STAGE_WHEN_DECLARED_CHANGE = "stage-when-declared";

  /**
   * Version of the end of a run whose steps all ran: 1 schedules the cleanup in the workflow task
   * that records the result (the cleanup starts once the api has the result, or at once when
   * reports made before the result are still on their way), so a run's result and its notifications
   * do not wait for its workspace to be put away; the workflow still ends only once the cleanup
   * has, so the lane's next build never starts before it. The host holds the run's slot while it
   * cleans up, and the api tells it of the run's end only 2 s after the result, so its janitor does
   * not take the workspace the cleanup keeps warm. Histories recorded before it cleaned up first.
   */
  static final String RESULT_BEFORE_CLEANUP_CHANGE = "result-before-cleanup";

  /**
   * Version of the reports around a gate's start: 1 sends no {@code gating} report for a plan with
   * gates (the ledger moves the run to gating when its first gate starts), and sends a gate's
   * {@code running} report, and the result of a gate another one follows, as activities rather than
   * local activities: the workflow task that schedules a gate no longer waits for two round trips
   * to the api first. The last gate's result and the terminal write stay local. Histories recorded
   * before it report {@code gating} and wait for the reports before each gate.
   */
  static final String GATE_START_UNWAITED_CHANGE = "gate-start-unwaited";

  /**
   * Version of a cancel's way to a running command: 1 asks the run's host to stop the run's
   * commands (its {@code Stop} activity, which the host's pollers take at once) in the workflow
   * task that learns of the cancel or the supersede, rather than leaving it to the answer to the
   * command's next heartbeat; the host's heartbeat then mostly shows that it is alive. Histories
   * recorded before it stop only through Temporal's cancel.
   */
  static final String CANCEL_PUSHED_CHANGE = "cancel-pushed";

  /**
   * Version of a gate's {@code running} report: 1 has the build host tell the ledger itself as it
   * starts the gate ({@link GateRequest#reportsStart}), which spares the report's activity task and
   * the workflow task that follows it; the workflow reports it, before the result, only when the
   * host says the ledger did not take it. Histories recorded before it report it from the workflow
   * when the gate is scheduled.
   */
  static final String GATE_START_BY_HOST_CHANGE = "gate-start-by-host";

  private final LedgerActivities ledger = LedgerReports.stub();

  private LedgerReports reports;
  private boolean leanerReports;
  private RebuildActivityOptions options;
  private RebuildRequest request;
  private Phase phase = Phase.QUEUED;
  private String sha;
  private String host;
  private String gate;
  private int attempt;
  private int stepIndex;
  private Long supersededBy;

  /**
   * The cleanup of a run whose result is recorded meanwhile ({@link
   * #RESULT_BEFORE_CLEANUP_CHANGE}).
   */
  private Promise<Void> cleanupUnderWay;

  @Override
  public RunOutcome build(RebuildRequest request) {
    this.request = request;
    this.options = new RebuildActivityOptions(request);
    boolean inBackground =
        Workflow.getVersion(LEDGER_IN_BACKGROUND_CHANGE, Workflow.DEFAULT_VERSION, 1) >= 1;
    leanerReports = Workflow.getVersion(LEANER_REPORTS_CHANGE, Workflow.DEFAULT_VERSION, 1) >= 1;
    if (Workflow.getVersion(LOCAL_REPORTS_CHANGE, Workflow.DEFAULT_VERSION, 1) >= 1) {
      reports = LedgerReports.inBackground(ledger, LedgerReports.localStub());
    } else {
      reports = inBackground ? LedgerReports.inBackground(ledger) : LedgerReports.inline(ledger);
    }
    Workflow.setCurrentDetails("queued");
    RunOutcome outcome;
    try {
      outcome = buildWithHostRestarts();
    } catch (ActivityFailure | CanceledFailure e) {
      if (!CancellationScope.current().isCancelRequested()) {
        throw e;
      }
      // The lane signals supersededBy before it cancels; histories without that signal take the
      // original path unchanged.
      RunOutcome ending =
          supersededBy == null
              ? new RunOutcome(Result.CANCELLED, "cancelled")
              : RunOutcome.superseded(supersededBy);
      Workflow.newDetachedCancellationScope(() -> finish(ending)).run();
      throw e instanceof CanceledFailure cancel
          ? cancel
          : new CanceledFailure(ending.failureSummary());
    }
    // Detached: a cancel arriving now must not stop the terminal write, or the run would stay
    // "building" in the ledger forever.
    Workflow.newDetachedCancellationScope(() -> finish(outcome)).run();
    awaitCleanup();
    return outcome;
  }

  @Override
  public RunProgress progress() {
    return new RunProgress(phase, sha, host, gate, attempt);
  }

  @Override
  public void supersededBy(long runId) {
    if (supersededBy == null || runId > supersededBy) {
      supersededBy = runId;
    }
  }

  private RunOutcome buildWithHostRestarts() {
    while (true) {
      attempt++;
      try {
        return buildOnOneHost();
      } catch (HostLostException lost) {
        log.warn("run {}: host {} lost ({})", request.runId(), host, lost.getMessage());
        if (attempt >= MAX_HOST_ATTEMPTS) {
          return RunOutcome.failed(
              "build host lost " + attempt + " times; last: " + host + ": " + lost.getMessage());
        }
      }
    }
  }

  private RunOutcome buildOnOneHost() {
    boolean restart =
        attempt > 1 && Workflow.getVersion(RESTART_NOTE_CHANGE, Workflow.DEFAULT_VERSION, 1) >= 1;
    // Taken before fetch's range, so the note reads before the new attempt's lines.
    long restartNoteSeq = restart ? nextLogBase() : 0;
    String lostHost = host;
    if (attempt > 1
        && Workflow.getVersion(ATTEMPT_FENCE_CHANGE, Workflow.DEFAULT_VERSION, 1) >= 1) {
      // Waited for, not sent in the background: the fence must stand before the new attempt runs.
      ledger.attemptStarted(request.runId(), attempt);
    }
    changePhase(Phase.FETCHING, attempt > 1 || !leanerReports);
    boolean settles = Workflow.getVersion(FETCH_SETTLES_CHANGE, Workflow.DEFAULT_VERSION, 1) >= 1;
    FetchResult fetched;
    try {
      if (watchesForWorkers(restart)) {
        Optional<FetchResult> served = fetchWhileTheArchIsServed(settles, fetchRequest());
        if (served.isEmpty()) {
          return RunOutcome.failed(noWorkerSummary());
        }
        fetched = served.get();
      } else {
        fetched = options.fetchStub(!restart, settles).fetch(fetchRequest());
      }
    } catch (ActivityFailure failure) {
      if (CancellationScope.current().isCancelRequested()) {
        throw failure;
      }
      if (!restart
          && request.noWorkerTimeoutSeconds() > 0
          && Failures.isScheduleToStartTimeout(failure)) {
        return RunOutcome.failed(noWorkerSummary());
      }
      return RunOutcome.failed(Failures.summary(failure));
    }
    if (!fetched.hostMayBuild()) {
      Optional<FetchResult> moved;
      try {
        moved = moveToAHostWithTheLabels(fetched, settles);
      } catch (ActivityFailure failure) {
        if (CancellationScope.current().isCancelRequested()) {
          throw failure;
        }
        return RunOutcome.failed(Failures.summary(failure));
      }
      if (moved.isEmpty()) {
        return RunOutcome.failed(noWorkerSummary());
      }
      fetched = moved.get();
      if (!fetched.hostMayBuild()) {
        // the host polled the queue of every label yet lacks one: nothing to clean, it freed all
        return RunOutcome.failed(
            "kiln.yaml requires ["
                + String.join(", ", fetched.plan().requires())
                + "], which "
                + fetched.host()
                + " lacks although it took the run's labelled fetch");
      }
    }
    BuildActivities host = options.hostStub(fetched);
    if (settles && CancellationScope.current().isCancelRequested()) {
      // Cancelled while the fetch ran, and the fetch finished anyway: its workspace is ours to
      // free.
      cleanUp(host, fetched);
      throw new CanceledFailure("cancelled while fetching");
    }
    boolean hostLost = false;
    boolean cleaningWhileRecorded = false;
    boolean[] stepsOver = {false};
    stopOnCancel(host, () -> stepsOver[0]);
    try {
      // Inside the try: a cancel while this is reported must still clean the workspace.
      recordResolved(fetched);
      if (restart) {
        reports.restarted(
            new RunRestart(request.runId(), attempt, fetched.host(), lostHost, restartNoteSeq));
      }
      RunOutcome outcome = compileStageAndGate(host, fetched);
      if (Workflow.getVersion(RESULT_BEFORE_CLEANUP_CHANGE, Workflow.DEFAULT_VERSION, 1) >= 1) {
        cleanupUnderWay = startCleanUp(host, fetched);
        cleaningWhileRecorded = true;
      }
      return outcome;
    } catch (HostLostException lost) {
      hostLost = true;
      throw lost;
    } finally {
      stepsOver[0] = true;
      if (!hostLost && !cleaningWhileRecorded) {
        cleanUp(host, fetched);
      }
    }
  }

  /**
   * Under {@link #CANCEL_PUSHED_CHANGE}: once the run is cancelled while its steps run on {@code
   * host}, asks the host to stop them, from a thread of its own outside the run's cancellation
   * scope. The steps' activities then end, and the run records its cancel, without waiting for a
   * heartbeat's answer.
   */
  private void stopOnCancel(BuildActivities host, BooleanSupplier stepsOver) {
    if (Workflow.getVersion(CANCEL_PUSHED_CHANGE, Workflow.DEFAULT_VERSION, 1) < 1) {
      return;
    }
    CancellationScope run = CancellationScope.current();
    long runId = request.runId();
    Workflow.newDetachedCancellationScope(
            () ->
                Async.procedure(
                    () -> {
                      Workflow.await(() -> run.isCancelRequested() || stepsOver.getAsBoolean());
                      if (stepsOver.getAsBoolean()) {
                        return;
                      }
                      try {
                        host.stop(runId);
                      } catch (ActivityFailure failure) {
                        // the host is gone or slow: Temporal's cancel still reaches its command
                        log.info("run {}: stop not taken: {}", runId, Failures.summary(failure));
                      }
                    }))
        .run();
  }

  private RunOutcome compileStageAndGate(BuildActivities host, FetchResult fetched) {
    RunContext run = runContext(fetched);
    PipelinePlan plan = fetched.plan();
    try {
      // reported with the resolution under leaner reports
      changePhase(Phase.COMPILING, !leanerReports);
      host.compile(new CompileRequest(run, fetched.workspace(), plan, nextLogBase()));
      // taken either way: the gates' log ranges stay where they were
      long stageLogBase = nextLogBase();
      if (stages(plan)) {
        changePhase(Phase.STAGING);
        host.stage(new StageRequest(run, fetched.workspace(), plan, stageLogBase));
      }
    } catch (ActivityFailure failure) {
      RunOutcome failed = asBuildFailure(failure);
      markGates(plan, GateStatus.SKIPPED);
      return failed;
    }
    boolean unwaited =
        !plan.gates().isEmpty()
            && Workflow.getVersion(GATE_START_UNWAITED_CHANGE, Workflow.DEFAULT_VERSION, 1) >= 1;
    // under gate-start-unwaited the first gate's start tells the ledger
    changePhase(Phase.GATING, !unwaited);
    return runGates(host, run, fetched, unwaited);
  }

  /** Whether the plan has a stage step ({@link #STAGE_WHEN_DECLARED_CHANGE}). */
  private static boolean stages(PipelinePlan plan) {
    return !plan.artifacts().isEmpty()
        || Workflow.getVersion(STAGE_WHEN_DECLARED_CHANGE, Workflow.DEFAULT_VERSION, 1) < 1;
  }

  /**
   * @param unwaited whether the reports made where a gate is scheduled go as activities ({@link
   *     #GATE_START_UNWAITED_CHANGE})
   */
  private RunOutcome runGates(
      BuildActivities host, RunContext run, FetchResult fetched, boolean unwaited) {
    GateOutcomes outcomes = new GateOutcomes();
    List<GateSpec> gates = fetched.plan().gates();
    boolean hostReportsStart =
        unwaited
            && Workflow.getVersion(GATE_START_BY_HOST_CHANGE, Workflow.DEFAULT_VERSION, 1) >= 1;
    for (int index = 0; index < gates.size(); index++) {
      GateSpec spec = gates.get(index);
      boolean last = index == gates.size() - 1;
      if (!outcomes.shouldRun(spec)) {
        reports.gate(run.runId(), new GateUpdate(spec.name(), GateStatus.BLOCKED, null, null));
        continue;
      }
      gate = spec.name();
      Workflow.setCurrentDetails(details());
      GateUpdate running = new GateUpdate(spec.name(), GateStatus.RUNNING, null, null);
      if (!hostReportsStart) {
        reports.gate(run.runId(), running, !unwaited);
      }
      GateResult result;
      try {
        result =
            host.gate(
                new GateRequest(
                    run,
                    fetched.workspace(),
                    spec,
                    fetched.plan().env(),
                    nextLogBase(),
                    hostReportsStart));
      } catch (ActivityFailure failure) {
        RunOutcome failed = asBuildFailure(failure);
        // a failed required gate ends the run: its report goes with the terminal write
        boolean anotherRuns = !last && !spec.required();
        reports.gate(
            run.runId(),
            new GateUpdate(spec.name(), GateStatus.FAILED, failed.failureSummary(), null),
            !(unwaited && anotherRuns));
        if (!spec.required()) {
          continue;
        }
        markGatesAfter(fetched.plan(), spec, GateStatus.BLOCKED);
        return failed;
      }
      GateStatus status = result.passed() ? GateStatus.PASSED : GateStatus.FAILED;
      outcomes.record(spec, result);
      boolean anotherRuns = !last && outcomes.shouldRun(gates.get(index + 1));
      if (hostReportsStart && !result.startRecorded()) {
        reports.gate(run.runId(), running, !(unwaited && anotherRuns));
      }
      reports.gate(
          run.runId(),
          new GateUpdate(spec.name(), status, result.summary(), result.tests()),
          !(unwaited && anotherRuns));
    }
    gate = null;
    String failure = outcomes.failureSummary();
    return failure == null ? RunOutcome.passed() : RunOutcome.failed(Failures.truncate(failure));
  }

  /** A build failure becomes the run's result; a lost host restarts the run; cancel propagates. */
  private RunOutcome asBuildFailure(ActivityFailure failure) {
    if (CancellationScope.current().isCancelRequested()) {
      throw failure;
    }
    if (Failures.isHostLost(failure)) {
      throw new HostLostException(Failures.summary(failure));
    }
    return RunOutcome.failed(Failures.summary(failure));
  }

  private void cleanUp(BuildActivities host, FetchResult fetched) {
    cleanupUnderWay = startCleanUp(host, fetched);
    awaitCleanup();
  }

  /** Detached: a cancelled run must still free its workspace. */
  private Promise<Void> startCleanUp(BuildActivities host, FetchResult fetched) {
    List<Promise<Void>> started = new ArrayList<>(1);
    Workflow.newDetachedCancellationScope(
            () ->
                started.add(
                    Async.procedure(
                        host::cleanup, new CleanupRequest(request.runId(), fetched.workspace()))))
        .run();
    return started.get(0);
  }

  private void awaitCleanup() {
    if (cleanupUnderWay == null) {
      return;
    }
    Promise<Void> cleanup = cleanupUnderWay;
    cleanupUnderWay = null;
    Workflow.newDetachedCancellationScope(
            () -> {
              try {
                cleanup.get();
              } catch (ActivityFailure failure) {
                log.warn("run {}: cleanup failed: {}", request.runId(), Failures.summary(failure));
              }
            })
        .run();
  }

  private void recordResolved(FetchResult fetched) {
    sha = fetched.sha();
    host = fetched.host();
    Workflow.upsertTypedSearchAttributes(KilnSearchAttributes.SHA.valueSet(sha));
    reports.resolved(
        new RunResolved(
            request.runId(),
            sha,
            fetched.branch(),
            fetched.version(),
            host,
            fetched.plan().origin(),
            fetched.plan().gates(),
            leanerReports ? Phase.COMPILING : null));
  }

  private void markGatesAfter(PipelinePlan plan, GateSpec failed, GateStatus status) {
    boolean after = false;
    for (GateSpec spec : plan.gates()) {
      if (after) {
        reports.gate(request.runId(), new GateUpdate(spec.name(), status, null, null));
      }
      after |= spec == failed;
    }
  }

  private void markGates(PipelinePlan plan, GateStatus status) {
    for (GateSpec spec : plan.gates()) {
      reports.gate(request.runId(), new GateUpdate(spec.name(), status, null, null));
    }
  }

  private RunOutcome finish(RunOutcome outcome) {
    phase = Phase.DONE;
    gate = null;
    Workflow.upsertTypedSearchAttributes(
        KilnSearchAttributes.PHASE.valueSet(Phase.DONE.wireName()),
        KilnSearchAttributes.RESULT.valueSet(outcome.result().wireName()));
    Workflow.setCurrentDetails(details() + ": " + outcome.result().wireName());
    // The terminal write comes last: the ledger ignores whatever arrives after it.
    // Queued behind every report made before it (the queue was empty once the older versions
    // scheduled it themselves, so their histories replay unchanged).
    if (outcome.result() == Result.ABORTED && supersededBy != null) {
      reports.superseded(request.runId(), supersededBy);
    } else {
      reports.finished(request.runId(), outcome.result(), outcome.failureSummary());
    }
    reports.awaitDelivered();
    return outcome;
  }

  private void changePhase(Phase next) {
    changePhase(next, true);
  }

  /**
   * @param reported whether the ledger hears of it from this report; the search attribute and the
   *     details change either way
   */
  private void changePhase(Phase next, boolean reported) {
    phase = next;
    Workflow.upsertTypedSearchAttributes(KilnSearchAttributes.PHASE.valueSet(next.wireName()));
    Workflow.setCurrentDetails(details());
    if (reported) {
      reports.phase(request.runId(), next);
    }
  }

  private String details() {
    StringBuilder text = new StringBuilder("**").append(phase.wireName()).append("**");
    if (gate != null) {
      text.append(" gate `").append(gate).append('`');
    }
    if (host != null) {
      text.append(" on `").append(host).append('`');
    }
    if (attempt > 1) {
      text.append(" (attempt ").append(attempt).append(')');
    }
    return text.toString();
  }

  private long nextLogBase() {
    return LogSequences.stepBase(stepIndex++);
  }

  private FetchRequest fetchRequest() {
    return fetchRequest(request.ref());
  }

  private FetchRequest fetchRequest(String ref) {
    return new FetchRequest(
        request.runId(), request.repo(), ref, request.arch(), nextLogBase(), attempt);
  }

  /**
   * The plan requires labels the host that fetched it lacks; that host has removed the workspace
   * and freed its slot. The run waits again, now for a host with every label the request and the
   * plan require, which fetches the same commit: the ledger learns the labels first, so that the
   * hosts that have them poll their queue. A run no live host can take fails at once.
   *
   * @return the fetch on such a host, its branch the first fetch's; empty when no host serves the
   *     labels
   */
  private Optional<FetchResult> moveToAHostWithTheLabels(FetchResult first, boolean settles) {
    if (CancellationScope.current().isCancelRequested()) {
      throw new CanceledFailure("cancelled while fetching");
    }
    if (Workflow.getVersion(KILN_YAML_REQUIRES_CHANGE, Workflow.DEFAULT_VERSION, 1) < 1) {
      return Optional.empty();
    }
    options.requireAlso(first.plan().requires());
    ledger.requiresLabels(request.runId(), options.requires());
    if (!options.served(ledger)) {
      return Optional.empty();
    }
    changePhase(Phase.FETCHING);
    FetchRequest again = fetchRequest(first.sha());
    Optional<FetchResult> moved =
        request.noWorkerTimeoutSeconds() > 0
            ? fetchWhileTheArchIsServed(settles, again)
            : Optional.of(options.fetchStub(false, settles).fetch(again));
    return moved.map(there -> there.withBranch(first.branch()));
  }

  private RunContext runContext(FetchResult fetched) {
    return new RunContext(
        request.runId(),
        request.repo(),
        fetched.sha(),
        request.arch(),
        request.target(),
        request.args(),
        attempt);
  }

  /**
   * Whether the first fetch is watched by {@link #fetchWhileTheArchIsServed} (version 1 of {@link
   * #NO_WORKER_WATCH_CHANGE}). Histories recorded before it used a schedule-to-start limit, which
   * also fired when every worker of the arch was merely busy.
   */
  private boolean watchesForWorkers(boolean restart) {
    return !restart
        && request.noWorkerTimeoutSeconds() > 0
        && Workflow.getVersion(NO_WORKER_WATCH_CHANGE, Workflow.DEFAULT_VERSION, 1) >= 1;
  }

  /**
   * Fetches, and each time {@code noWorkerTimeoutSeconds} pass before the fetch is done, asks
   * whether any worker serves the arch at all: a run queued behind busy workers waits as long as it
   * takes, a run for an arch nobody serves ends.
   *
   * @param settles whether a cancelled run waits for its fetch to end ({@link
   *     #FETCH_SETTLES_CHANGE}); the fetch's result is then returned for the caller to clean up
   * @param fetchRequest the fetch: the run's ref, or the commit its first host fetched
   * @return empty when no worker serves the arch (the fetch, never started, is cancelled)
   */
  private Optional<FetchResult> fetchWhileTheArchIsServed(
      boolean settles, FetchRequest fetchRequest) {
    FetchActivities fetch = options.fetchStub(false, settles);
    List<Promise<FetchResult>> started = new ArrayList<>(1);
    CancellationScope scope =
        Workflow.newCancellationScope(
            () -> started.add(Async.function(fetch::fetch, fetchRequest)));
    scope.run();
    Promise<FetchResult> result = started.get(0);
    Duration every = Duration.ofSeconds(request.noWorkerTimeoutSeconds());
    while (true) {
      try {
        Promise.anyOf(result, Workflow.newTimer(every)).get();
        if (result.isCompleted()) {
          return Optional.of(result.get());
        }
        if (!options.served(ledger)) {
          scope.cancel("no worker for arch " + request.arch());
          return settles ? takenAtTheLastMoment(result) : Optional.empty();
        }
      } catch (CanceledFailure | ActivityFailure e) {
        if (!settles || result.isCompleted() || !CancellationScope.current().isCancelRequested()) {
          throw e;
        }
        // The run was cancelled while its fetch may be running: its result, or its failure.
        return Optional.of(result.get());
      }
    }
  }

  /**
   * A fetch cancelled for want of a worker may have been taken by one at that very moment: wait
   * until it has ended, and build with what it fetched rather than leave its workspace behind.
   *
   * @return empty when no host took the fetch before the cancel reached it
   */
  private Optional<FetchResult> takenAtTheLastMoment(Promise<FetchResult> fetch) {
    try {
      return Optional.of(fetch.get());
    } catch (ActivityFailure failure) {
      if (failure.getCause() instanceof CanceledFailure) {
        return Optional.empty();
      }
      throw failure;
    }
  }

  private String noWorkerSummary() {
    return options.noWorkerSummary();
  }

  /** Thrown inside the workflow only: the host holding the workspace is gone. */
  private static final class HostLostException extends RuntimeException {
    HostLostException(String message) {
      super(message, null, false, false);
    }
  }
}
