package dev.kiln.activities.build;

import dev.kiln.activities.BackgroundHeartbeat;
import dev.kiln.activities.BuildHost;
import dev.kiln.activities.QuietStart;
import dev.kiln.activities.RunAttempt;
import dev.kiln.activities.api.ApiRejectedException;
import dev.kiln.activities.api.KilnApiClient;
import dev.kiln.activities.capacity.BuildSlots;
import dev.kiln.activities.fetch.Workspaces;
import dev.kiln.activities.logs.StepLog;
import dev.kiln.activities.logs.StepLogs;
import dev.kiln.activities.process.CancelReason;
import dev.kiln.activities.process.ProcessExit;
import dev.kiln.activities.secrets.RunSecrets;
import dev.kiln.activities.secrets.StepSecrets;
import dev.kiln.activities.summary.Summaries;
import dev.kiln.activities.summary.TestReport;
import dev.kiln.workflows.FailureTypes;
import dev.kiln.workflows.activities.BuildActivities;
import dev.kiln.workflows.activities.CleanupRequest;
import dev.kiln.workflows.activities.CompileRequest;
import dev.kiln.workflows.activities.GateRequest;
import dev.kiln.workflows.activities.GateResult;
import dev.kiln.workflows.activities.RunContext;
import dev.kiln.workflows.activities.StageRequest;
import dev.kiln.workflows.activities.StageResult;
import dev.kiln.workflows.plan.CommandStep;
import dev.kiln.workflows.plan.GateSpec;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.client.ActivityCanceledException;
import io.temporal.client.ActivityCompletionException;
import io.temporal.client.ActivityWorkerShutdownException;
import io.temporal.common.CancellationToken;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * compile, stage, gates and cleanup on the host that holds the workspace. A thin adapter: the work
 * is in {@link CommandRunner}, {@link ArtifactStager} and the summary classes; this class turns
 * their outcomes into Temporal results and failures, and heartbeats. Each activity keeps its run's
 * build slot alive while it runs; cleanup frees the slot ({@link BuildSlots}).
 */
public class BuildActivitiesImpl implements BuildActivities {

  private static final Logger log = LoggerFactory.getLogger(BuildActivitiesImpl.class);

  /**
   * The last chunks, and the steps' usage reports, reach the api before the workflow moves on, so
   * the log reads in order and is whole when the run ends (a follower's stream ends with the run),
   * and the run view has what each command used. Long enough for an api to restart; the activity
   * heartbeats meanwhile, so the wait never makes this host look lost.
   */
  private static final Duration LOG_DRAIN = Duration.ofMinutes(2);

  private static final Duration LOG_DRAIN_SLICE = Duration.ofSeconds(1);

  /**
   * How often a running command's activity heartbeats (a cancel stops it as soon as it is heard).
   */
  public static final Duration COMMAND_HEARTBEAT = CommandRunner.TICK;

  private final BuildHost host;
  private final StepLogs logs;
  private final StepReporter stepReports;
  private final CommandStops stops = new CommandStops();
  private final CommandRunner commands;
  private final ArtifactStager stager;
  private final Workspaces workspaces;
  private final BuildSlots slots;
  private final TestResultReports testResults;
  private final RunSecrets secrets;

  public BuildActivitiesImpl(BuildHost host, StepLogs logs, KilnApiClient api, BuildSlots slots) {
    this(host, logs, api, slots, new Workspaces(host.home()));
  }

  /**
   * @param workspaces the host's workspaces, shared with its fetch activities: cleanup hands a
   *     lane's workspace back to the lane for its next build here
   */
  public BuildActivitiesImpl(
      BuildHost host, StepLogs logs, KilnApiClient api, BuildSlots slots, Workspaces workspaces) {
    this.host = host;
    this.logs = logs;
    this.slots = slots;
    this.stepReports = new StepReports(api);
    this.commands = new CommandRunner(host, stepReports);
    this.stager = new ArtifactStager(api);
    this.testResults = new TestResultReports(api);
    this.secrets = new RunSecrets(api);
    this.workspaces = workspaces;
  }

  /** Kills process groups a crashed previous life of this worker left running. */
  public static void killLeftoverProcessGroups(BuildHost host) {
    int killed = CommandRunner.killLeftovers(host);
    if (killed > 0) {
      log.warn("killed {} process group(s) left behind by a previous worker", killed);
    }
  }

  @Override
  public void compile(CompileRequest request) {
    ActivityExecutionContext context = Activity.getExecutionContext();
    QuietStart quiet = new QuietStart();
    long runId = request.run().runId();
    RunAttempt attempt = attempt(request.run());
    MDC.put("run_id", String.valueOf(runId));
    Path workspace = Path.of(request.workspace());
    String runKey = runKey(context);
    slots.enter(runKey);
    try (StepLog stepLog = open(context, attempt, request.logSeqBase())) {
      stepLog.kiln("compile on " + host.name() + " (" + request.plan().origin() + ")");
      List<CommandStep> steps = request.plan().compile();
      for (int i = 0; i < steps.size(); i++) {
        CommandStep step = steps.get(i);
        RunSecrets.Outcome given = fetchSecrets(attempt, step.secrets());
        if (given instanceof RunSecrets.Outcome.Missing missing) {
          stepLog.kiln(missing.summary());
          throw ApplicationFailure.newNonRetryableFailure(
              missing.summary(), FailureTypes.INVALID_SPEC);
        }
        StepSecrets stepSecrets = stepSecrets(given, step.secrets(), stepLog);
        CommandRunner.Outcome outcome =
            run(
                context,
                quiet,
                attempt,
                stepLog,
                request.run(),
                workspace,
                CommandRunner.Command.compile(i, step, request.plan(), stepSecrets));
        StepVerdicts.compile(outcome, stepSecrets.mask(), stepLog)
            .ifPresent(
                failed -> {
                  throw ApplicationFailure.newNonRetryableFailure(failed.summary(), failed.type());
                });
      }
    } finally {
      slots.exit(runKey);
      // after the log drained: the api may refuse its last chunks as stale only now
      drainToApi(context, runId);
      releaseIfSuperseded(attempt, runKey, workspace);
      MDC.remove("run_id");
    }
  }

  @Override
  public StageResult stage(StageRequest request) {
    ActivityExecutionContext context = Activity.getExecutionContext();
    QuietStart quiet = new QuietStart();
    long runId = request.run().runId();
    RunAttempt attempt = attempt(request.run());
    String runKey = runKey(context);
    slots.enter(runKey);
    try (StepLog stepLog = open(context, attempt, request.logSeqBase());
        BackgroundHeartbeat heartbeat = BackgroundHeartbeat.start(context, attempt, quiet)) {
      return new StageResult(
          stager.stage(
              attempt,
              Path.of(request.workspace()),
              request.plan().artifacts(),
              stepLog,
              heartbeat(context, quiet, attempt)));
    } catch (ApiRejectedException e) {
      if (e.isRetryable() || e.isStaleAttempt()) {
        throw e;
      }
      throw ApplicationFailure.newNonRetryableFailure(
          Summaries.fit("stage failed: " + e.getMessage()), FailureTypes.STAGE_FAILED);
    } catch (IOException e) {
      throw ApplicationFailure.newNonRetryableFailure(
          Summaries.fit("stage failed: " + e.getMessage()), FailureTypes.STAGE_FAILED);
    } finally {
      slots.exit(runKey);
      // after the log drained: the api may refuse its last chunks as stale only now
      drainToApi(context, runId);
      releaseIfSuperseded(attempt, runKey, Path.of(request.workspace()));
    }
  }

  @Override
  public GateResult gate(GateRequest request) {
    RunAttempt attempt = attempt(request.run());
    CompletableFuture<Boolean> startRecorded =
        request.reportsStart()
            ? stepReports.gateStarted(attempt, request.gate().name())
            : CompletableFuture.completedFuture(false);
    GateResult result = runGate(request, attempt);
    return result.withStartRecorded(tookIt(startRecorded));
  }

  /**
   * Whether the ledger took the gate's start from this host. Asked at the gate's end, once the
   * step's reports have drained ({@link #drainToApi}, which heartbeats meanwhile): not waited for
   * here, where no heartbeat goes out. A report still unanswered counts as not taken, and the
   * workflow sends it again (a second {@code running} changes nothing at the ledger).
   */
  private static boolean tookIt(CompletableFuture<Boolean> report) {
    return report.isDone() && !report.isCompletedExceptionally() && report.join();
  }

  private GateResult runGate(GateRequest request, RunAttempt attempt) {
    ActivityExecutionContext context = Activity.getExecutionContext();
    QuietStart quiet = new QuietStart();
    long runId = request.run().runId();
    GateSpec gate = request.gate();
    Path workspace = Path.of(request.workspace());
    String runKey = runKey(context);
    slots.enter(runKey);
    try (StepLog stepLog = open(context, attempt, request.logSeqBase())) {
      stepLog.kiln("gate " + gate.name() + (gate.required() ? "" : " (optional)"));
      RunSecrets.Outcome given = fetchSecrets(attempt, gate.secrets());
      if (given instanceof RunSecrets.Outcome.Missing missing) {
        stepLog.kiln("gate " + gate.name() + " failed: " + missing.summary());
        return new GateResult(gate.name(), false, missing.summary(), null);
      }
      StepSecrets gateSecrets = stepSecrets(given, gate.secrets(), stepLog);
      CommandRunner.Outcome outcome =
          run(
              context,
              quiet,
              attempt,
              stepLog,
              request.run(),
              workspace,
              CommandRunner.Command.gate(gate, request.env(), gateSecrets));
      TestReport report = StepVerdicts.tests(workspace, gate, outcome, gateSecrets.mask(), stepLog);
      StepVerdicts.logTests(report, stepLog);
      try (BackgroundHeartbeat sending = BackgroundHeartbeat.start(context, attempt, quiet)) {
        // Thousands of tests take a few requests; the activity must not look stuck meanwhile.
        storeTestResults(attempt, gate, report, stepLog);
      }
      return StepVerdicts.gate(gate, outcome, report, gateSecrets.mask(), stepLog);
    } finally {
      slots.exit(runKey);
      // after the log drained: the api may refuse its last chunks as stale only now
      drainToApi(context, runId);
      releaseIfSuperseded(attempt, runKey, workspace);
    }
  }

  @Override
  public void stop(long runId) {
    int stopped = stops.stop(runKey(Activity.getExecutionContext()));
    log.info("run {}: stopped on request, {} command(s) running", runId, stopped);
  }

  @Override
  public void cleanup(CleanupRequest request) {
    ActivityExecutionContext context = Activity.getExecutionContext();
    try (BackgroundHeartbeat heartbeat = BackgroundHeartbeat.start(context)) {
      // Held while the workspace is put away (keeping it warm may take seconds of deleting an
      // older one): the run's result is recorded already, and the janitor must not take the
      // workspace meanwhile. Without a lease here (the janitor ended it, or a previous life of
      // this worker held it) the workspace is only removed, never kept for the lane.
      boolean leased = slots.enter(runKey(context));
      host.sandbox().forget(Path.of(request.workspace()));
      if (leased) {
        workspaces.release(Path.of(request.workspace()));
      } else {
        workspaces.remove(Path.of(request.workspace()));
      }
    } catch (IOException e) {
      throw Activity.wrap(e);
    } finally {
      // Even when removal failed: a retry still finds the workspace, and the slot is not held.
      slots.finish(runKey(context));
      stops.forget(runKey(context));
    }
  }

  /**
   * A superseded attempt's slot and workspace go as soon as its commands are dead: the run builds
   * on elsewhere and its workflow will never clean up after this attempt here, and a slot held
   * until the lease goes idle kept every restarted run waiting (a Temporal server away for longer
   * than the heartbeat timeout supersedes every running build at once).
   */
  private void releaseIfSuperseded(RunAttempt attempt, String runKey, Path workspace) {
    if (!attempt.isSuperseded() || !slots.endSuperseded(runKey, workspace)) {
      return;
    }
    try {
      host.sandbox().forget(workspace);
      workspaces.remove(workspace);
      log.info("{} superseded: its build slot is free and its workspace removed", attempt);
    } catch (IOException | RuntimeException e) {
      log.warn(
          "{} superseded: could not remove its workspace {}: {}", attempt, workspace, e.toString());
    }
  }

  /** The key of the run's build slot: fetch took it under the same workflow id. */
  private static String runKey(ActivityExecutionContext context) {
    return context.getInfo().getWorkflowId();
  }

  private StepLog open(ActivityExecutionContext context, RunAttempt attempt, long stepBase) {
    return logs.open(attempt, stepBase, context.getInfo().getAttempt());
  }

  /** The attempt a step's request is for: every write of the step carries it. */
  private static RunAttempt attempt(RunContext run) {
    return new RunAttempt(run.runId(), run.attempt());
  }

  /**
   * A cancelled run's heartbeat throws; the runner then kills the group and rethrows here. So does
   * a superseded attempt's, and a write the api refused as stale: the group is killed at once.
   */
  private CommandRunner.Outcome run(
      ActivityExecutionContext context,
      QuietStart quiet,
      RunAttempt attempt,
      StepLog stepLog,
      RunContext run,
      Path workspace,
      CommandRunner.Command command) {
    try {
      CommandRunner.Outcome outcome =
          commands.run(
              attempt,
              run,
              workspace,
              command,
              stepLog,
              commandHeartbeat(context, quiet, attempt, stops, runKey(context)));
      // A cancel that stopped the command between two heartbeats ends the activity as a
      // heartbeat's would have; a command that ended on its own keeps its result.
      if (outcome.exit().cancelReason() == CancelReason.WORKFLOW_CANCELLED) {
        context.getCancellationToken().throwIfCancellationRequested();
        // stopped by the run's stop activity, before a heartbeat brought Temporal's cancel
        stepLog.kiln(
            outcome.exit().exitCode() == ProcessExit.NOT_STARTED
                ? "stopped: the run was cancelled before the command started"
                : "stopped: the run was cancelled; process group killed");
        throw ApplicationFailure.newNonRetryableFailure(
            command.step() + " stopped: the run was cancelled", FailureTypes.STOPPED);
      }
      if (attempt.isSuperseded()) {
        // Killed because the api refused a write as stale: Temporal has given up on this activity.
        throw ApplicationFailure.newNonRetryableFailure(
            attempt + " superseded: " + attempt.supersededBecause().orElse(""),
            FailureTypes.HOST_LOST);
      }
      return outcome;
    } catch (ActivityWorkerShutdownException e) {
      stepLog.kiln("worker on " + host.name() + " is shutting down: process group killed");
      throw ApplicationFailure.newFailure(
          "worker on " + host.name() + " shut down during " + command.step(),
          FailureTypes.HOST_LOST);
    } catch (ActivityCompletionException e) {
      stepLog.kiln("cancelled: process group killed (" + e.getClass().getSimpleName() + ")");
      throw e;
    }
  }

  /**
   * The step's secrets from the api. An api that is down or busy is retried with the activity; one
   * that refuses (a value that no longer decrypts) fails the run saying why.
   */
  private RunSecrets.Outcome fetchSecrets(RunAttempt attempt, List<String> names) {
    try {
      return secrets.fetch(attempt, names);
    } catch (ApiRejectedException e) {
      if (e.isRetryable() || e.isStaleAttempt()) {
        throw e;
      }
      throw ApplicationFailure.newNonRetryableFailure(
          Summaries.fit("secrets: " + e.getMessage()), FailureTypes.INVALID_SPEC);
    }
  }

  /** The secrets a step runs with; none, said in its log, when the run may not have them. */
  private static StepSecrets stepSecrets(
      RunSecrets.Outcome given, List<String> names, StepLog stepLog) {
    if (given instanceof RunSecrets.Outcome.Withheld withheld) {
      stepLog.kiln(withheld.line(names));
      return StepSecrets.NONE;
    }
    if (given instanceof RunSecrets.Outcome.Given secrets) {
      return secrets.secrets();
    }
    throw new IllegalStateException("a step with missing secrets must not run: " + given);
  }

  /**
   * Waits up to {@link #LOG_DRAIN} for the run's chunks and the step's usage reports to reach the
   * api, heartbeating. Both were sent as the commands ended: they go together, one round trip.
   */
  private void drainToApi(ActivityExecutionContext context, long runId) {
    long deadline = System.nanoTime() + LOG_DRAIN.toNanos();
    while (!(logs.awaitUploaded(runId, LOG_DRAIN_SLICE) && stepReports.awaitSent(LOG_DRAIN_SLICE))
        && System.nanoTime() < deadline
        && !Thread.currentThread().isInterrupted()) {
      try {
        context.heartbeat(null);
      } catch (RuntimeException cancelledOrTimedOut) {
        // The activity ends anyway; its log still deserves the rest of the wait.
      }
    }
  }

  /**
   * A running command's heartbeat, cancelling it with the reason Temporal gave, so the log says
   * "cancelled by the workflow" rather than the runner's generic "its progress heartbeat failed". A
   * heartbeat that says the activity timed out or is gone supersedes the attempt, which kills the
   * group at once. A cancel is acted on as soon as the answer that brings it arrives: the SDK sends
   * the throttled heartbeats from a thread of its own, and the next beat is up to a tick later.
   */
  private static CommandRunner.Heartbeat commandHeartbeat(
      ActivityExecutionContext context,
      QuietStart quiet,
      RunAttempt attempt,
      CommandStops stops,
      String runKey) {
    Runnable tick = heartbeat(context, quiet, attempt);
    return new CommandRunner.Heartbeat() {
      @Override
      public void beat(Consumer<CancelReason> cancel) {
        try {
          tick.run();
        } catch (ActivityWorkerShutdownException e) {
          cancel.accept(CancelReason.WORKER_SHUTDOWN);
          throw e;
        } catch (ActivityCompletionException e) {
          if (!attempt.isSuperseded() && e instanceof ActivityCanceledException) {
            cancel.accept(CancelReason.WORKFLOW_CANCELLED);
          }
          throw e;
        }
      }

      @Override
      public RunAttempt.Registration onCancel(Consumer<CancelReason> cancel) {
        // on the SDK's heartbeat thread, which swallows what this throws, or the stop activity's
        Runnable stop =
            () -> {
              try {
                if (!attempt.isSuperseded()) {
                  cancel.accept(CancelReason.WORKFLOW_CANCELLED);
                }
              } catch (RuntimeException e) {
                log.warn("{}: could not stop the command on cancel", attempt, e);
              }
            };
        CancellationToken.Registration cancelled = context.getCancellationToken().onCancel(stop);
        RunAttempt.Registration stopped = stops.register(runKey, stop);
        return () -> {
          cancelled.close();
          stopped.close();
        };
      }
    };
  }

  /**
   * Heartbeats once the attempt's quiet start is over; one that says Temporal has moved on without
   * this activity supersedes it.
   */
  private static Runnable heartbeat(
      ActivityExecutionContext context, QuietStart quiet, RunAttempt attempt) {
    return () -> {
      if (!quiet.over()) {
        return;
      }
      try {
        context.heartbeat(null);
      } catch (ActivityCompletionException e) {
        attempt.supersedeIfStale(e);
        throw e;
      }
    };
  }

  /** Per-test results go to the api directly; the workflow only carries the counts. */
  private void storeTestResults(
      RunAttempt attempt, GateSpec gate, TestReport report, StepLog stepLog) {
    if (!report.found()) {
      return;
    }
    String failed = testResults.send(attempt, gate.name(), report.tests());
    if (failed != null) {
      stepLog.kiln("could not store the test results: " + failed);
    }
  }
}
