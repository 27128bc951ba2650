package dev.kiln.activities.process.sandbox;

import dev.kiln.activities.process.CancelReason;
import dev.kiln.activities.process.KillObserver;
import dev.kiln.activities.process.ProcessConfig;
import dev.kiln.activities.process.ProcessExit;
import dev.kiln.activities.process.ProcessRunner;
import dev.kiln.workflows.plan.SandboxRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A real bubblewrap sandbox with real cgroups over a scratch KILN_HOME, and a way to run one
 * command in it as a build step runs: through {@link ProcessRunner}, with the step's limits
 * watched.
 */
final class SandboxFixture implements AutoCloseable {

  static final ResourceLimits LIMITS =
      new ResourceLimits(2 * ByteSizes.GIB, 2, 512, 4 * ByteSizes.GIB, Duration.ofMinutes(10));

  private static final AtomicInteger STEPS = new AtomicInteger();

  final Path kilnHome;
  final Sandbox sandbox;
  final Path workspaces;

  SandboxFixture(Path kilnHome) throws Exception {
    this(kilnHome, LIMITS);
  }

  SandboxFixture(Path kilnHome, ResourceLimits maxima) throws Exception {
    this(kilnHome, maxima, SandboxSettings.Enforcement.CGROUP);
  }

  SandboxFixture(Path kilnHome, ResourceLimits maxima, SandboxSettings.Enforcement enforcement)
      throws Exception {
    this.kilnHome = kilnHome;
    this.workspaces = Files.createDirectories(kilnHome.resolve("work/runs"));
    SandboxSettings settings =
        SandboxSettings.forWorker(
            kilnHome,
            System.getenv(),
            List.of(),
            List.of(),
            maxima,
            enforcement,
            "test-" + ProcessHandle.current().pid() + "-" + STEPS.incrementAndGet());
    this.sandbox = Sandboxes.create(Sandboxes.Mode.BWRAP, settings, workspaces);
  }

  Path workspace(String name) throws IOException {
    return Files.createDirectories(workspaces.resolve(name));
  }

  /** What a step did. */
  /**
   * @param killSteps what the runner's kill observer heard ({@code TERM}, {@code KILL}, {@code
   *     GONE}): nothing when the step ended by itself and left nothing behind
   */
  record Ran(
      ProcessExit exit,
      String output,
      Optional<String> breach,
      Optional<String> note,
      StepUsage usage,
      List<String> killSteps) {}

  Ran run(Path workspace, String command) throws IOException {
    return run(workspace, "repo-a", SandboxRequest.DEFAULT, command, runner -> {});
  }

  Ran run(Path workspace, String repoKey, SandboxRequest request, String command)
      throws IOException {
    return run(workspace, repoKey, request, command, runner -> {});
  }

  /** Runs {@code command}; {@code whileRunning} gets the runner once it has started. */
  Ran run(
      Path workspace,
      String repoKey,
      SandboxRequest request,
      String command,
      Consumer<ProcessRunner> whileRunning)
      throws IOException {
    return run(workspace, repoKey, request, command, whileRunning, Duration.ofMinutes(2));
  }

  Ran run(
      Path workspace,
      String repoKey,
      SandboxRequest request,
      String command,
      Consumer<ProcessRunner> whileRunning,
      Duration timeout)
      throws IOException {
    return run(workspace, repoKey, request, command, whileRunning, timeout, Map.of());
  }

  /** As above, with {@code planEnv} over the step's environment, as a plan's {@code env} is. */
  Ran run(
      Path workspace,
      String repoKey,
      SandboxRequest request,
      String command,
      Consumer<ProcessRunner> whileRunning,
      Duration timeout,
      Map<String, String> planEnv)
      throws IOException {
    try (SandboxedStep step =
        sandbox.open(
            new Sandbox.Step(
                "step-" + STEPS.incrementAndGet(), workspace, repoKey, null, request))) {
      Map<String, String> env = new HashMap<>();
      env.put("PATH", System.getenv("PATH"));
      env.putAll(step.environment());
      env.putAll(planEnv);
      ByteArrayOutputStream output = new ByteArrayOutputStream();
      ProcessConfig config =
          ProcessConfig.of(command, workspace, env, timeout)
              .withGracePeriod(Duration.ofSeconds(1))
              .withLauncher(step.launcher());
      List<String> killSteps = new java.util.concurrent.CopyOnWriteArrayList<>();
      ProcessRunner runner =
          new ProcessRunner(
              config,
              (buf, off, len) -> {
                synchronized (output) {
                  output.write(buf, off, len);
                }
              },
              new KillObserver() {
                @Override
                public void terminateSent(CancelReason reason) {
                  killSteps.add("TERM");
                }

                @Override
                public void killSent(Duration grace) {
                  killSteps.add("KILL");
                }

                @Override
                public void groupGone() {
                  killSteps.add("GONE");
                }
              });
      step.startWatching("test", () -> runner.cancel(CancelReason.RESOURCE_LIMIT));
      runner.started().thenRun(() -> whileRunning.accept(runner));
      ProcessExit exit = runner.run();
      String text;
      synchronized (output) {
        text = output.toString(StandardCharsets.UTF_8);
      }
      return new Ran(exit, text, step.breach(), step.note(), step.usage(), List.copyOf(killSteps));
    }
  }

  @Override
  public void close() {
    sandbox.close();
  }
}
