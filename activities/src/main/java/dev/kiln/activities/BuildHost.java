package dev.kiln.activities;

import dev.kiln.activities.process.sandbox.Sandbox;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * This worker process as a build host.
 *
 * @param name the host name shown in run views
 * @param queue the task queue only this process polls
 * @param home KILN_HOME: {@code work/mirrors}, {@code work/runs}
 * @param gracePeriod SIGTERM → SIGKILL delay when a command is cancelled
 * @param cpus given to commands as {@code KILN_CPUS}
 * @param sandbox where build commands run: a bubblewrap sandbox, or none
 */
public record BuildHost(
    String name, String queue, Path home, Duration gracePeriod, int cpus, Sandbox sandbox) {

  public BuildHost {
    Objects.requireNonNull(sandbox, "sandbox");
  }

  /** A host that runs commands without a sandbox (tests of what a sandbox does not change). */
  public BuildHost(String name, String queue, Path home, Duration gracePeriod, int cpus) {
    this(name, queue, home, gracePeriod, cpus, Sandbox.none());
  }

  public Path mirrors() {
    return home.resolve("work").resolve("mirrors");
  }

  public Path workspaces() {
    return home.resolve("work").resolve("runs");
  }
}
