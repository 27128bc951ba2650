package dev.kiln.worker;

import dev.kiln.activities.process.sandbox.ResourceLimits;
import dev.kiln.activities.process.sandbox.SandboxDefaults;
import dev.kiln.activities.process.sandbox.SandboxSettings;
import dev.kiln.activities.process.sandbox.Sandboxes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How a build worker isolates and limits build steps ({@code kiln.worker.*}, beside {@link
 * WorkerProperties.Worker}).
 *
 * @param sandbox {@code bwrap} (default: the worker refuses to start without a working sandbox),
 *     {@code none} (no isolation, chosen explicitly; warned about at start and shown in every run
 *     view), or {@code auto} (bwrap when it can be set up, else none with a warning: the dev stack)
 * @param sandboxLimits {@code cgroup} (default) or {@code prlimit}, for machines without usable
 *     cgroups: per-process memory only, no CPU limit, no usage figures
 * @param sandboxHide more directories or files to hide from builds
 * @param sandboxTools more paths under hidden places (the worker's home) to show builds read-only
 * @param limits the most a build step may use; a kiln.yaml may ask for less
 */
@ConfigurationProperties("kiln.worker")
public record SandboxProperties(
    @DefaultValue(SandboxDefaults.SANDBOX) String sandbox,
    @DefaultValue(SandboxDefaults.SANDBOX_LIMITS) String sandboxLimits,
    @DefaultValue List<Path> sandboxHide,
    @DefaultValue List<Path> sandboxTools,
    @DefaultValue Limits limits) {

  /**
   * @param memory e.g. {@code 8g}; empty: 80 % of the machine's memory shared by the build slots,
   *     at least 1 GiB
   * @param cpus cores' worth of CPU time; 0: all of the machine's cores
   * @param pids processes and threads at once
   * @param disk e.g. {@code 50g}: workspace, run home and temporary files together
   * @param timeout the longest any step may run
   */
  public record Limits(
      @DefaultValue(SandboxDefaults.MEMORY) String memory,
      @DefaultValue(SandboxDefaults.CPUS) double cpus,
      @DefaultValue(SandboxDefaults.PIDS) int pids,
      @DefaultValue(SandboxDefaults.DISK) String disk,
      @DefaultValue(SandboxDefaults.TIMEOUT) Duration timeout) {}

  public Sandboxes.Mode mode() {
    return SandboxDefaults.mode(sandbox);
  }

  public SandboxSettings.Enforcement enforcement() {
    return SandboxDefaults.enforcement(sandboxLimits);
  }

  /**
   * The maximums of a step on a machine with {@code cores} and {@code physicalMemory} bytes that
   * runs {@code slots} builds at once.
   */
  public ResourceLimits maxima(int slots, int cores, long physicalMemory) {
    return SandboxDefaults.maxima(
        limits.memory(),
        limits.cpus(),
        limits.pids(),
        limits.disk(),
        limits.timeout(),
        slots,
        cores,
        physicalMemory);
  }
}
