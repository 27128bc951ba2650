package dev.kiln.activities;

import java.nio.file.Path;
import java.time.Duration;

/**
 * This worker process as a build host.
 *
 * @param name the host name shown in run views
 * @param queue the task queue only this process polls
 * @param home KILN_HOME: {@code work/mirrors}, {@code work/runs}
 * @param gracePeriod SIGTERM → SIGKILL delay when a command is cancelled
 * @param cpus given to commands as {@code KILN_CPUS}
 * @param allowFileRepos whether {@code file://} repositories may be fetched (dev stack only)
 */
public record BuildHost(
    String name, String queue, Path home, Duration gracePeriod, int cpus, boolean allowFileRepos) {

  public Path mirrors() {
    return home.resolve("work").resolve("mirrors");
  }

  public Path workspaces() {
    return home.resolve("work").resolve("runs");
  }
}
