package dev.kiln.activities.process.sandbox;

import dev.kiln.activities.process.Launcher;
import java.util.Map;
import java.util.Optional;

/**
 * One build step's place in the sandbox, from before its command starts until after it is gone: the
 * {@link Launcher} that puts the command inside, the environment it needs there, its limits, and
 * what it used. Close it once the command's processes are gone.
 */
public final class SandboxedStep implements AutoCloseable {

  private final Launcher launcher;
  private final Map<String, String> environment;
  private final ResourceLimits limits;
  private final boolean network;
  private final StepCgroup cgroup;
  private final LimitWatch watch;
  private final Runnable cleanup;
  private Optional<String> breach;

  SandboxedStep(
      Launcher launcher,
      Map<String, String> environment,
      ResourceLimits limits,
      boolean network,
      StepCgroup cgroup,
      LimitWatch watch,
      Runnable cleanup) {
    this.launcher = launcher;
    this.environment = Map.copyOf(environment);
    this.limits = limits;
    this.network = network;
    this.cgroup = cgroup;
    this.watch = watch;
    this.cleanup = cleanup;
  }

  /** A step run as before sandboxes: {@code setsid}, no limits, nothing measured. */
  static SandboxedStep unconfined() {
    return new SandboxedStep(Launcher.PLAIN, Map.of(), null, true, null, null, () -> {});
  }

  /** What to start the command with. */
  public Launcher launcher() {
    return launcher;
  }

  /**
   * Variables the sandbox sets ({@code HOME}, {@code TMPDIR}, the cache locations): they replace
   * the worker's, and a plan's own {@code env} may still override them.
   */
  public Map<String, String> environment() {
    return environment;
  }

  /** The limits the step runs under; empty without a sandbox. */
  public Optional<ResourceLimits> limits() {
    return Optional.ofNullable(limits);
  }

  /** Whether the step shares the host's network. */
  public boolean network() {
    return network;
  }

  /**
   * Starts watching for limits the kernel leaves to Kiln; {@code onBreach} should kill the step.
   */
  public void startWatching(String name, Runnable onBreach) {
    if (watch != null) {
      watch.start(name, onBreach);
    }
  }

  /**
   * After the command is gone: the first limit it exceeded, as a summary says it ("memory limit 4
   * GiB exceeded", "workspace exceeded 10 GiB"), if any.
   */
  public synchronized Optional<String> breach() {
    if (breach == null) {
      breach = watch == null ? Optional.empty() : watch.finish();
    }
    return breach;
  }

  /** A limit the step ran into without being killed for it ("process limit 256 reached"). */
  public Optional<String> note() {
    if (cgroup != null && limits != null && cgroup.pidsLimitHits() > 0) {
      return Optional.of("process limit " + limits.pids() + " reached");
    }
    return Optional.empty();
  }

  /** What the step's processes used, from its cgroup. */
  public StepUsage usage() {
    return cgroup == null ? StepUsage.UNKNOWN : cgroup.usage();
  }

  @Override
  public void close() {
    if (watch != null) {
      watch.close();
    }
    if (cgroup != null) {
      cgroup.close();
    }
    cleanup.run();
  }
}
