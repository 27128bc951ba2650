package dev.kiln.worker;

import dev.kiln.activities.process.sandbox.ByteSizes;
import dev.kiln.activities.process.sandbox.ResourceLimits;
import dev.kiln.activities.process.sandbox.SandboxSettings;
import dev.kiln.activities.process.sandbox.Sandboxes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
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
    @DefaultValue("bwrap") String sandbox,
    @DefaultValue("cgroup") String sandboxLimits,
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
      @DefaultValue("") String memory,
      @DefaultValue("0") double cpus,
      @DefaultValue("4096") int pids,
      @DefaultValue("50g") String disk,
      @DefaultValue("24h") Duration timeout) {}

  public Sandboxes.Mode mode() {
    return switch (sandbox.trim().toLowerCase(Locale.ROOT)) {
      case "bwrap" -> Sandboxes.Mode.BWRAP;
      case "none" -> Sandboxes.Mode.NONE;
      case "auto" -> Sandboxes.Mode.AUTO;
      default ->
          throw new IllegalArgumentException(
              "kiln.worker.sandbox: \"" + sandbox + "\" is not one of bwrap, none, auto");
    };
  }

  public SandboxSettings.Enforcement enforcement() {
    return switch (sandboxLimits.trim().toLowerCase(Locale.ROOT)) {
      case "cgroup" -> SandboxSettings.Enforcement.CGROUP;
      case "prlimit" -> SandboxSettings.Enforcement.PRLIMIT;
      default ->
          throw new IllegalArgumentException(
              "kiln.worker.sandbox-limits: \""
                  + sandboxLimits
                  + "\" is not one of cgroup, prlimit");
    };
  }

  /**
   * The maximums of a step on a machine with {@code cores} and {@code physicalMemory} bytes that
   * runs {@code slots} builds at once.
   */
  public ResourceLimits maxima(int slots, int cores, long physicalMemory) {
    long memory =
        limits.memory().isBlank()
            ? Math.max(ByteSizes.GIB, (long) (physicalMemory * 0.8 / Math.max(1, slots)))
            : size("kiln.worker.limits.memory", limits.memory());
    double cpus = limits.cpus() > 0 ? limits.cpus() : cores;
    long disk = size("kiln.worker.limits.disk", limits.disk());
    try {
      return new ResourceLimits(memory, cpus, limits.pids(), disk, limits.timeout());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("kiln.worker.limits: " + e.getMessage(), e);
    }
  }

  private static long size(String property, String text) {
    return ByteSizes.parse(text)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    property + ": \"" + text + "\" is not a size (" + ByteSizes.HINT + ")"));
  }
}
