package dev.kiln.activities.local;

import dev.kiln.activities.BuildHost;
import dev.kiln.activities.RunAttempt;
import dev.kiln.activities.build.CommandRunner;
import dev.kiln.activities.build.StepReporter;
import dev.kiln.activities.build.StepVerdicts;
import dev.kiln.activities.logs.ChunkSink;
import dev.kiln.activities.logs.StepLog;
import dev.kiln.activities.logs.StepLogs;
import dev.kiln.activities.pipeline.PipelinePlanner;
import dev.kiln.activities.pipeline.PlanException;
import dev.kiln.activities.process.CancelReason;
import dev.kiln.activities.secrets.RunSecrets;
import dev.kiln.activities.secrets.StepSecrets;
import dev.kiln.activities.summary.Summaries;
import dev.kiln.activities.summary.TestReport;
import dev.kiln.workflows.Architectures;
import dev.kiln.workflows.Result;
import dev.kiln.workflows.activities.GateResult;
import dev.kiln.workflows.activities.RunContext;
import dev.kiln.workflows.plan.CommandStep;
import dev.kiln.workflows.plan.GateSpec;
import dev.kiln.workflows.plan.PipelinePlan;
import dev.kiln.workflows.rebuild.GateOutcomes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;

/**
 * A run on this machine, without a server ({@code kiln run --local}): the plan a build host would
 * choose for the workspace ({@code kiln.yaml} or detection), its compile commands and gates run
 * with the host's {@link CommandRunner} in the host's sandbox, the log written as a server run's
 * log reads, the gates judged and the failure summarised by the same code ({@link StepVerdicts},
 * {@link GateOutcomes}). What needs a server does not apply: artifacts are not staged (the log says
 * so) and no secrets are given (a step that names some runs without them, as a merge request's
 * build does, and its log says so).
 */
public final class LocalBuild {

  /** Why a local run's steps get no secrets. */
  static final String NO_SECRETS = "a local run has no secrets (they are kept by the server)";

  /** The run's failure summary when Ctrl-C stopped it. */
  static final String INTERRUPTED = "interrupted by Ctrl-C: process group killed";

  private final BuildHost host;
  private final ChunkSink log;
  private final PipelinePlanner planner;
  private final Clock clock;

  /**
   * @param host this machine as a build host: its home holds the workspace, its sandbox runs the
   *     commands
   * @param log where the run's log goes as it is written
   */
  public LocalBuild(BuildHost host, ChunkSink log) {
    this(host, log, new PipelinePlanner(), Clock.systemUTC());
  }

  LocalBuild(BuildHost host, ChunkSink log, PipelinePlanner planner, Clock clock) {
    this.host = host;
    this.log = log;
    this.planner = planner;
    this.clock = clock;
  }

  /**
   * How a local run ended.
   *
   * @param failureSummary what a server run's {@code failure_summary} would say; {@code null} when
   *     it passed
   */
  public record Outcome(Result result, String failureSummary) {

    static Outcome passed() {
      return new Outcome(Result.PASSED, null);
    }

    static Outcome failed(String summary) {
      return new Outcome(Result.FAILED, Summaries.fit(summary));
    }
  }

  /**
   * Plans and builds {@code workspace}.
   *
   * @param name the working tree's name, as a local submission's repository ({@code local:<name>})
   * @param sha the snapshot commit the workspace holds
   * @param interrupted polled while commands run: once it says so, the running command's group is
   *     killed (SIGTERM, SIGKILL after the grace period) and the run ends cancelled
   */
  public Outcome run(Path workspace, String name, String sha, BooleanSupplier interrupted) {
    RunAttempt attempt = new RunAttempt(0, 0);
    RunContext run =
        new RunContext(0, "local:" + name, sha, Architectures.current(), null, List.of(), 0);
    ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "kiln-log-flusher");
              thread.setDaemon(true);
              return thread;
            });
    try (StepLog stepLog =
        new StepLog(attempt, 0, log, timer, StepLogs.FLUSH_EVERY, StepLogs.CHUNK_BYTES, clock)) {
      Steps steps = new Steps(attempt, run, workspace, stepLog, heartbeat(interrupted));
      try {
        return steps.build();
      } catch (Interrupted e) {
        stepLog.kiln(INTERRUPTED);
        return new Outcome(Result.CANCELLED, INTERRUPTED);
      }
    } finally {
      timer.shutdownNow();
    }
  }

  /** Stops a running command with {@link CancelReason#INTERRUPTED} once {@code interrupted}. */
  private static CommandRunner.Heartbeat heartbeat(BooleanSupplier interrupted) {
    return cancel -> {
      if (interrupted.getAsBoolean()) {
        cancel.accept(CancelReason.INTERRUPTED);
        throw new Interrupted();
      }
    };
  }

  /** The run's steps, in the order a server run takes them. */
  private final class Steps {

    private final RunAttempt attempt;
    private final RunContext run;
    private final Path workspace;
    private final StepLog stepLog;
    private final CommandRunner.Heartbeat heartbeat;
    private final CommandRunner commands;

    Steps(
        RunAttempt attempt,
        RunContext run,
        Path workspace,
        StepLog stepLog,
        CommandRunner.Heartbeat heartbeat) {
      this.attempt = attempt;
      this.run = run;
      this.workspace = workspace;
      this.stepLog = stepLog;
      this.heartbeat = heartbeat;
      this.commands = new CommandRunner(host, StepReporter.NONE);
    }

    Outcome build() {
      PipelinePlan plan;
      try {
        plan = planner.plan(workspace).plan();
      } catch (PlanException e) {
        stepLog.kiln("plan: " + e.getMessage());
        return Outcome.failed(e.getMessage());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the plan of " + workspace, e);
      }
      stepLog.kiln("plan: " + plan.origin());
      Optional<String> compileFailure = compile(plan);
      if (compileFailure.isPresent()) {
        return Outcome.failed(compileFailure.get());
      }
      if (!plan.artifacts().isEmpty()) {
        stepLog.kiln(
            "stage: skipped: a local run keeps no artifacts ("
                + String.join(", ", plan.artifacts())
                + ")");
      }
      return gates(plan);
    }

    /** The compile commands in order; the first that fails ends the run with its summary. */
    private Optional<String> compile(PipelinePlan plan) {
      stepLog.kiln("compile on " + host.name() + " (" + plan.origin() + ")");
      List<CommandStep> steps = plan.compile();
      for (int i = 0; i < steps.size(); i++) {
        CommandStep step = steps.get(i);
        CommandRunner.Outcome outcome =
            command(CommandRunner.Command.compile(i, step, plan, secrets(step.secrets())));
        Optional<StepVerdicts.CompileFailure> failed =
            StepVerdicts.compile(outcome, StepSecrets.NONE.mask(), stepLog);
        if (failed.isPresent()) {
          return Optional.of(failed.get().summary());
        }
      }
      return Optional.empty();
    }

    /** The gates by the server's rules: the first failed required gate fails the run. */
    private Outcome gates(PipelinePlan plan) {
      GateOutcomes outcomes = new GateOutcomes();
      for (GateSpec gate : plan.gates()) {
        if (!outcomes.shouldRun(gate)) {
          continue;
        }
        stepLog.kiln("gate " + gate.name() + (gate.required() ? "" : " (optional)"));
        CommandRunner.Outcome outcome =
            command(CommandRunner.Command.gate(gate, plan.env(), secrets(gate.secrets())));
        TestReport report =
            StepVerdicts.tests(workspace, gate, outcome, StepSecrets.NONE.mask(), stepLog);
        StepVerdicts.logTests(report, stepLog);
        GateResult result =
            StepVerdicts.gate(gate, outcome, report, StepSecrets.NONE.mask(), stepLog);
        outcomes.record(gate, result);
      }
      String failure = outcomes.failureSummary();
      return failure == null ? Outcome.passed() : Outcome.failed(failure);
    }

    private CommandRunner.Outcome command(CommandRunner.Command command) {
      return commands.run(attempt, run, workspace, command, stepLog, heartbeat);
    }

    /** None: a step that names secrets runs without them, as its log says. */
    private StepSecrets secrets(List<String> names) {
      if (!names.isEmpty()) {
        stepLog.kiln(new RunSecrets.Outcome.Withheld(NO_SECRETS).line(names));
      }
      return StepSecrets.NONE;
    }
  }

  /**
   * Thrown from the heartbeat once Ctrl-C was pressed: the runner kills the group, then rethrows.
   */
  private static final class Interrupted extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Interrupted() {
      super(INTERRUPTED, null, false, false);
    }
  }
}
