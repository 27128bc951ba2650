package dev.kiln.activities.build;

import dev.kiln.activities.BuildHost;
import dev.kiln.activities.RunAttempt;
import dev.kiln.activities.fetch.GitFetcher;
import dev.kiln.activities.fetch.MirrorCache;
import dev.kiln.activities.fetch.MirrorNames;
import dev.kiln.activities.logs.StepLog;
import dev.kiln.activities.process.BuildEnvironment;
import dev.kiln.activities.process.CancelReason;
import dev.kiln.activities.process.OutputSink;
import dev.kiln.activities.process.ProcessConfig;
import dev.kiln.activities.process.ProcessExit;
import dev.kiln.activities.process.ProcessRunner;
import dev.kiln.activities.process.sandbox.ByteSizes;
import dev.kiln.activities.process.sandbox.ResourceLimits;
import dev.kiln.activities.process.sandbox.Sandbox;
import dev.kiln.activities.process.sandbox.SandboxedStep;
import dev.kiln.activities.process.sandbox.StepUsage;
import dev.kiln.activities.secrets.StepSecrets;
import dev.kiln.activities.summary.FirstErrorCollector;
import dev.kiln.activities.summary.TestOutputReader;
import dev.kiln.activities.summary.TestReport;
import dev.kiln.workflows.activities.RunContext;
import dev.kiln.workflows.plan.CommandStep;
import dev.kiln.workflows.plan.GateSpec;
import dev.kiln.workflows.plan.PipelinePlan;
import dev.kiln.workflows.plan.SandboxRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Runs one build command on this host: in the host's sandbox (namespaces, limits, per-run home,
 * per-repository caches) or, with {@code kiln.worker.sandbox=none}, without; scrubbed environment;
 * its own process group recorded in a pid file (so a restarted worker can kill what a crash left
 * behind); output to the step's log and to the error collector; and {@code tick} (the heartbeat)
 * while it runs. What the command used goes to the api for the run view.
 *
 * <p>Free of Temporal: a worker's activity heartbeats from {@link Heartbeat}, a local run ({@code
 * kiln run --local}) checks for Ctrl-C there and reports nothing ({@link StepReporter#NONE}).
 */
public final class CommandRunner {

  /**
   * How often the activity heartbeats; the SDK throttles the actual sends (the worker's host queue
   * to one per 500 ms). A cancel or a supersede does not wait for a beat: the run's stop activity
   * reaches the command at once ({@link Heartbeat#onCancel}).
   */
  static final Duration TICK = Duration.ofMillis(250);

  private static final AtomicLong STEPS = new AtomicLong();

  /** The prefix of a gate's step name ({@code gate:unit}). */
  static final String GATE_STEP = "gate:";

  private final BuildHost host;
  private final StepReporter reports;
  private final MirrorCache mirrors;

  public CommandRunner(BuildHost host, StepReporter reports) {
    this.host = host;
    this.reports = reports;
    this.mirrors = new MirrorCache(host.home(), GitFetcher.DEFAULT_IO_TIMEOUT);
  }

  /**
   * @param step the log step its output goes to ({@code compile}, {@code gate:unit})
   * @param index which command of the step this is (0, 1, … for compile's list)
   * @param script run with {@code bash -eo pipefail -c}
   * @param env the plan's extra environment
   * @param sandbox what the plan asks of the sandbox, or {@code null}
   * @param secrets the secrets the command gets as variables, masked in its output
   */
  public record Command(
      String step,
      int index,
      String script,
      Duration timeout,
      Map<String, String> env,
      SandboxRequest sandbox,
      StepSecrets secrets) {

    /** Command {@code index} of the plan's compile step. */
    public static Command compile(
        int index, CommandStep step, PipelinePlan plan, StepSecrets secrets) {
      return new Command(
          "compile",
          index,
          step.run(),
          Duration.ofSeconds(step.timeoutSeconds()),
          plan.env(),
          plan.sandbox(),
          secrets);
    }

    /** A gate's command, with the plan's extra environment {@code env}. */
    public static Command gate(GateSpec gate, Map<String, String> env, StepSecrets secrets) {
      return new Command(
          GATE_STEP + gate.name(),
          0,
          gate.run(),
          Duration.ofSeconds(gate.timeoutSeconds()),
          env,
          gate.sandbox(),
          secrets);
    }
  }

  /**
   * @param timeout the timeout the command ran with: the plan's, or the worker's maximum if lower
   * @param breach the sandbox limit the command was killed for ("memory limit 4 GiB exceeded")
   * @param note a limit it ran into without being killed for it ("process limit 256 reached")
   * @param tests what a gate's output reported of its tests ({@code go test -json}, {@code cargo
   *     test}), read from the output before the mask: not masked; {@link TestReport#none()} for
   *     compile steps
   */
  public record Outcome(
      ProcessExit exit,
      FirstErrorCollector errors,
      Duration timeout,
      Optional<String> breach,
      Optional<String> note,
      StepUsage usage,
      TestReport tests) {}

  /**
   * Called every {@link #TICK} while a command runs. It may stop the command: {@code cancel} it
   * with the precise reason first, then throw; the runner kills the group and rethrows once the
   * group is gone. An exception without a cancel is {@link CancelReason#HEARTBEAT_FAILED}.
   */
  @FunctionalInterface
  public interface Heartbeat {
    void beat(Consumer<CancelReason> cancel);

    /**
     * Lets a stop that becomes known between two beats (the run's stop activity, or a heartbeat's
     * answer saying the workflow cancelled the activity) reach the command at once rather than at
     * the next beat: {@code cancel} may be called from another thread, even just after the
     * registration is closed, and must not block. By default nothing is known between beats.
     */
    default RunAttempt.Registration onCancel(Consumer<CancelReason> cancel) {
      return () -> {};
    }
  }

  /**
   * @param attempt the attempt the command runs for: once it is superseded the command is killed at
   *     once (or never starts), and nothing more is reported for it
   */
  public Outcome run(
      RunAttempt attempt,
      RunContext run,
      Path workspace,
      Command command,
      StepLog log,
      Heartbeat tick) {
    Sandbox sandbox = host.sandbox();
    try (SandboxedStep step = sandbox.open(sandboxStep(run, workspace, command))) {
      return run(attempt, run, workspace, command, log, tick, sandbox, step);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the sandbox for " + command.step(), e);
    }
  }

  private Outcome run(
      RunAttempt attempt,
      RunContext run,
      Path workspace,
      Command command,
      StepLog log,
      Heartbeat tick,
      Sandbox sandbox,
      SandboxedStep step) {
    FirstErrorCollector errors = new FirstErrorCollector(workspace);
    int cpus = step.limits().map(l -> l.jobs(host.cpus())).orElse(host.cpus());
    Map<String, String> planEnv = new HashMap<>(command.env());
    planEnv.putAll(command.secrets().environment());
    Map<String, String> env =
        BuildEnvironment.forRun(System.getenv(), run, cpus, step.environment(), planEnv);
    Duration timeout =
        step.limits()
            .map(ResourceLimits::timeout)
            .filter(max -> max.compareTo(command.timeout()) < 0)
            .orElse(command.timeout());
    ProcessConfig config =
        ProcessConfig.of(command.script(), workspace, env, timeout)
            .withGracePeriod(host.gracePeriod())
            .withPidFile(pidFile(run.runId()))
            .withLauncher(step.launcher());
    StepLog.OutputTarget output = log.output(command.step());
    OutputSink logAndErrors =
        new OutputSink() {
          @Override
          public void write(byte[] buf, int off, int len) {
            output.write(buf, off, len);
            errors.acceptBytes(buf, off, len);
          }

          @Override
          public void truncated(long keptBytes) {
            log.kiln("log truncated at " + keptBytes + " bytes; the rest of this step is dropped");
          }
        };
    // Masked right before the log and the error collector, so neither holds a secret; after the
    // test-output reader, whose test2json events reach the log decoded: JSON escapes and events
    // that each hold part of a secret must be masked as the text they become.
    OutputSink masked = command.secrets().mask().around(logAndErrors);
    // Only a gate runs tests; a compile step's output goes to the log exactly as printed. The
    // results the reader parses are the caller's to mask.
    TestOutputReader tests =
        command.step().startsWith(GATE_STEP) ? new TestOutputReader(workspace, masked) : null;
    OutputSink sink = tests == null ? masked : tests;
    log.kiln(describe(sandbox, step));
    reports.sandbox(
        attempt,
        sandbox.kind(),
        step.limits().orElse(null),
        step.network(),
        sandbox.limitsEnforcedBy().orElse(null));
    log.command(command.script());
    ProcessRunner runner = new ProcessRunner(config, sink, new KillLines(log));
    step.startWatching(
        command.step() + "-" + run.runId(), () -> runner.cancel(CancelReason.RESOURCE_LIMIT));
    ProcessExit exit;
    try (RunAttempt.Registration kill =
            attempt.onSuperseded(() -> runner.cancel(CancelReason.ATTEMPT_SUPERSEDED));
        RunAttempt.Registration cancelled = tick.onCancel(runner::cancel)) {
      exit = runner.run(() -> tick.beat(runner::cancel), TICK);
    }
    Optional<String> breach = step.breach();
    breach.ifPresent(b -> log.kiln("killed: " + b));
    StepUsage usage = step.usage();
    if (usage.peakMemoryBytes() != null || usage.cpuMillis() != null) {
      log.kiln(describe(usage));
    }
    reports.usage(attempt, command.step(), command.index(), usage);
    return new Outcome(
        exit,
        errors,
        timeout,
        breach,
        step.note(),
        usage,
        tests == null ? TestReport.none() : tests.report());
  }

  private Sandbox.Step sandboxStep(RunContext run, Path workspace, Command command) {
    String repo = run.repo() == null ? "" : run.repo();
    String name =
        "run-"
            + run.runId()
            + "-"
            + command.step().replaceAll("[^A-Za-z0-9._-]", "-")
            + "-"
            + STEPS.incrementAndGet();
    return new Sandbox.Step(
        name,
        workspace,
        repo.isEmpty() ? "unknown-repository" : MirrorNames.of(repo),
        repo.isEmpty() ? null : mirrors.mirrorDir(repo),
        command.sandbox());
  }

  /**
   * "sandbox: bwrap (cgroup v1): memory 4 GiB, 2 CPUs, 2048 processes, disk 10 GiB; network on".
   */
  private static String describe(Sandbox sandbox, SandboxedStep step) {
    if (step.limits().isEmpty()) {
      return "sandbox: " + sandbox.kind() + " (no isolation, no limits)";
    }
    return "sandbox: "
        + sandbox.kind()
        + sandbox.limitsEnforcedBy().map(e -> " (" + e + ")").orElse("")
        + ": "
        + step.limits().get().describe()
        + "; network "
        + (step.network() ? "on" : "off");
  }

  /** "used: peak memory 312 MiB, CPU 4.2 s". */
  private static String describe(StepUsage usage) {
    String memory =
        usage.peakMemoryBytes() == null ? "unknown" : ByteSizes.format(usage.peakMemoryBytes());
    String cpu =
        usage.cpuMillis() == null
            ? "unknown"
            : String.format(Locale.ROOT, "%.1f s", usage.cpuMillis() / 1000.0);
    return "used: peak memory " + memory + ", CPU " + cpu;
  }

  /**
   * Kills process groups recorded by workers of this host that died; see {@link PidDirectories}.
   */
  public static int killLeftovers(BuildHost host) {
    return PidDirectories.reapDeadOwners(host);
  }

  private Path pidFile(long runId) {
    return PidDirectories.own(host).resolve("run-" + runId + ".pgid");
  }
}
