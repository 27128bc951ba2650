package dev.kiln.activities.build;

import dev.kiln.activities.BuildHost;
import dev.kiln.activities.logs.StepLog;
import dev.kiln.activities.process.BuildEnvironment;
import dev.kiln.activities.process.CancelReason;
import dev.kiln.activities.process.OutputSink;
import dev.kiln.activities.process.ProcessConfig;
import dev.kiln.activities.process.ProcessExit;
import dev.kiln.activities.process.ProcessRunner;
import dev.kiln.activities.summary.FirstErrorCollector;
import dev.kiln.workflows.activities.RunContext;
import io.temporal.client.ActivityCanceledException;
import io.temporal.client.ActivityWorkerShutdownException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Runs one build command on this host: scrubbed environment, its own process group recorded in a
 * pid file (so a restarted worker can kill what a crash left behind), output to the step's log and
 * to the error collector, and {@code tick} (the heartbeat) while it runs.
 */
final class CommandRunner {

  /**
   * How often the activity heartbeats; Temporal throttles the actual sends (the worker's host queue
   * to 500 ms). A cancel is learnt from a heartbeat's answer, so this bounds cancel latency too.
   */
  static final Duration TICK = Duration.ofMillis(250);

  private final BuildHost host;

  CommandRunner(BuildHost host) {
    this.host = host;
  }

  /**
   * @param step the log step its output goes to ({@code compile}, {@code gate:unit})
   * @param script run with {@code bash -eo pipefail -c}
   * @param env the plan's extra environment
   */
  record Command(String step, String script, Duration timeout, Map<String, String> env) {}

  record Outcome(ProcessExit exit, FirstErrorCollector errors) {}

  Outcome run(RunContext run, Path workspace, Command command, StepLog log, Runnable tick) {
    FirstErrorCollector errors = new FirstErrorCollector(workspace);
    Map<String, String> env =
        BuildEnvironment.forRun(System.getenv(), run, host.cpus(), command.env());
    ProcessConfig config =
        ProcessConfig.of(command.script(), workspace, env, command.timeout())
            .withGracePeriod(host.gracePeriod())
            .withPidFile(pidFile(run.runId()));
    StepLog.OutputTarget output = log.output(command.step());
    OutputSink sink =
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
    log.command(command.script());
    ProcessRunner runner = new ProcessRunner(config, sink, new KillLines(log));
    ProcessExit exit = runner.run(precisely(tick, runner), TICK);
    return new Outcome(exit, errors);
  }

  /**
   * The heartbeat, cancelling the runner with the reason Temporal gave, so the log says "cancelled
   * by the workflow" rather than the runner's generic "its progress heartbeat failed".
   */
  private static Runnable precisely(Runnable tick, ProcessRunner runner) {
    return () -> {
      try {
        tick.run();
      } catch (ActivityCanceledException e) {
        runner.cancel(CancelReason.WORKFLOW_CANCELLED);
        throw e;
      } catch (ActivityWorkerShutdownException e) {
        runner.cancel(CancelReason.WORKER_SHUTDOWN);
        throw e;
      }
    };
  }

  /**
   * Kills process groups recorded by workers of this host that died; see {@link PidDirectories}.
   */
  static int killLeftovers(BuildHost host) {
    return PidDirectories.reapDeadOwners(host);
  }

  private Path pidFile(long runId) {
    return PidDirectories.own(host).resolve("run-" + runId + ".pgid");
  }
}
