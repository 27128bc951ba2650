package dev.kiln.cli.local;

import dev.kiln.activities.local.LocalBuild;
import dev.kiln.activities.local.LocalHost;
import dev.kiln.activities.logs.PrintedChunks;
import dev.kiln.activities.process.sandbox.SandboxDefaults;
import dev.kiln.activities.process.sandbox.Sandboxes;
import dev.kiln.cli.CliFailure;
import dev.kiln.cli.Kiln;
import dev.kiln.cli.follow.RunEndings;
import dev.kiln.cli.submit.WorkingTreeSnapshot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "With --local: build a working tree on this machine, without a server, as a build host would:"
          + " the same plan (kiln.yaml or detection), the same sandbox (bubblewrap, the workers'"
          + " default limits; it fails closed without it), the same log lines, failure summary and"
          + " exit code (0 passed, 1 failed, 2 interrupted). It builds a scratch copy of the tree"
          + " as kiln rebuild DIR would upload it (uncommitted changes and untracked files in,"
          + " ignored files out), removed afterwards. No artifacts are kept and no secrets are"
          + " given. Ctrl-C stops the build (SIGTERM, SIGKILL after "
          + SandboxDefaults.GRACE_PERIOD
          + ") and exits 2."
    },
    footer = {
      "",
      "KILN_WORKER_SANDBOX=none (or --no-sandbox): no sandbox; =auto: none only when",
      "it cannot be set up. KILN_WORKER_SANDBOX_LIMITS=prlimit: per-process limits",
      "instead of a cgroup per step. The variables a build worker reads."
    })
public final class RunCommand implements Callable<Integer> {

  @ParentCommand Kiln kiln;

  @Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--local",
      description = "build on this machine, without a server (the only way kiln run builds)")
  boolean local;

  @Option(
      names = "--no-sandbox",
      description =
          "run the commands without a sandbox: they see this machine as you do (your home,"
              + " credentials and other files), with no limits")
  boolean noSandbox;

  @Parameters(
      paramLabel = "DIR",
      arity = "0..1",
      defaultValue = ".",
      description = "a directory in a git working tree (default: the current directory)")
  Path dir;

  @Override
  public Integer call() throws IOException {
    if (!local) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "kiln run builds on this machine only: give --local (kiln rebuild DIR --follow builds"
              + " it on the server)");
    }
    AtomicBoolean interrupted = new AtomicBoolean();
    onInterrupt(interrupted);
    try (LocalHost host = open()) {
      WorkingTreeSnapshot.Snapshot snapshot = WorkingTreeSnapshot.checkOut(dir, host.workspace());
      kiln.err()
          .println(
              kiln.terminal()
                  .dim(
                      "building "
                          + snapshot.root()
                          + " on this machine: "
                          + snapshot.files()
                          + " files, snapshot "
                          + snapshot.sha().substring(0, 12)
                          + ", in "
                          + host.workspace()));
      LogOutput log = new LogOutput(kiln.out(), kiln.terminal().interactive());
      LocalBuild.Outcome outcome =
          new LocalBuild(host.host(), new PrintedChunks(log))
              .run(
                  host.workspace(),
                  snapshot.root().getFileName().toString(),
                  snapshot.sha(),
                  interrupted::get);
      kiln.out().flush();
      return RunEndings.report(
          "local run", outcome.result(), outcome.failureSummary(), kiln.err(), kiln.terminal());
    }
  }

  /** This machine as a build host, in the workers' sandbox unless told otherwise. */
  private LocalHost open() throws IOException {
    try {
      LocalHost host = LocalHost.open(kiln.env(), noSandbox);
      if (host.host().sandbox().kind().equals("none")) {
        kiln.err().println("warning: sandbox " + host.host().sandbox().describe());
      }
      return host;
    } catch (Sandboxes.SandboxUnavailableException e) {
      throw new CliFailure(
          e.getMessage()
              + " (kiln run --local: --no-sandbox, or "
              + LocalHost.SANDBOX_VARIABLE
              + "=none)");
    } catch (IllegalArgumentException e) {
      throw new CliFailure(e.getMessage());
    }
  }

  /**
   * Ctrl-C (SIGINT) asks the build to stop: the running command's process group gets SIGTERM, and
   * SIGKILL after the grace period, and the run ends cancelled. Another Ctrl-C changes nothing:
   * exiting before the group is gone would leave its processes behind.
   */
  private void onInterrupt(AtomicBoolean interrupted) {
    try {
      Signal.handle(
          new Signal("INT"),
          signal -> {
            boolean again = interrupted.getAndSet(true);
            kiln.err()
                .println(
                    again
                        ? "still stopping the build: its processes get SIGKILL after the grace"
                            + " period"
                        : "interrupted: stopping the build …");
          });
    } catch (IllegalArgumentException ignoredByTheParent) {
      // started with SIGINT ignored (a background job of a shell without job control): nothing to
      // handle
    }
  }
}
