package dev.kiln.activities.process;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * One command to run. Build with {@link #of} and adjust with the {@code with…} methods.
 *
 * @param command a bash script, run as {@code setsid bash -eo pipefail -c <command>} (or under a
 *     sandbox's {@link Launcher}) so that it leads its own process group (pid == pgid) and
 *     everything it starts can be killed together
 * @param workDir the working directory
 * @param env the complete environment: nothing is inherited from the worker, so its secrets cannot
 *     leak into the build (see {@link BuildEnvironment})
 * @param timeout how long the command may run before it is killed with {@link CancelReason#TIMEOUT}
 * @param gracePeriod how long the group gets between SIGTERM and SIGKILL
 * @param pidFile where to record the process group while it runs, or {@code null}; see {@link
 *     ProcessRunner#killStaleGroup(Path)}
 * @param maxOutputBytes output past this many bytes is dropped (the command keeps running)
 * @param outputWaitDelay how long to wait for the output pipe to close after the process group is
 *     gone (a process that escaped the group may hold it open); what reached the spool by then is
 *     read to its end however long that takes; see {@link ProcessRunner}
 * @param launcher what the command runs under: {@link Launcher#PLAIN} ({@code setsid}) or a
 *     sandbox's launcher
 */
public record ProcessConfig(
    String command,
    Path workDir,
    Map<String, String> env,
    Duration timeout,
    Duration gracePeriod,
    Path pidFile,
    long maxOutputBytes,
    Duration outputWaitDelay,
    Launcher launcher) {

  /**
   * SIGTERM to SIGKILL: long enough for a build tool to stop its children and write its reports.
   */
  public static final Duration DEFAULT_GRACE_PERIOD = Duration.ofSeconds(10);

  /** Output kept per command: more than any useful log, far less than a runaway one. */
  public static final long DEFAULT_MAX_OUTPUT_BYTES = 64L * 1024 * 1024;

  /** Long enough for the last buffered output to arrive, short enough not to stall a build. */
  public static final Duration DEFAULT_OUTPUT_WAIT_DELAY = Duration.ofSeconds(2);

  public ProcessConfig {
    Objects.requireNonNull(command, "command");
    Objects.requireNonNull(workDir, "workDir");
    env = Map.copyOf(Objects.requireNonNull(env, "env"));
    Objects.requireNonNull(timeout, "timeout");
    gracePeriod = gracePeriod == null ? DEFAULT_GRACE_PERIOD : gracePeriod;
    outputWaitDelay = outputWaitDelay == null ? DEFAULT_OUTPUT_WAIT_DELAY : outputWaitDelay;
    launcher = launcher == null ? Launcher.PLAIN : launcher;
    if (command.isBlank()) {
      throw new IllegalArgumentException("command is blank");
    }
    requirePositive("timeout", timeout);
    requireNotNegative("gracePeriod", gracePeriod);
    requireNotNegative("outputWaitDelay", outputWaitDelay);
    env.forEach(ProcessConfig::requireValidVariable);
    if (maxOutputBytes <= 0) {
      throw new IllegalArgumentException("maxOutputBytes must be positive: " + maxOutputBytes);
    }
  }

  /** A config with the default grace period, output cap and output wait, and no pid file. */
  public static ProcessConfig of(
      String command, Path workDir, Map<String, String> env, Duration timeout) {
    return new ProcessConfig(
        command,
        workDir,
        env,
        timeout,
        DEFAULT_GRACE_PERIOD,
        null,
        DEFAULT_MAX_OUTPUT_BYTES,
        DEFAULT_OUTPUT_WAIT_DELAY,
        Launcher.PLAIN);
  }

  /** This config with another SIGTERM-to-SIGKILL grace period. */
  public ProcessConfig withGracePeriod(Duration grace) {
    return new ProcessConfig(
        command, workDir, env, timeout, grace, pidFile, maxOutputBytes, outputWaitDelay, launcher);
  }

  /** This config recording its process group in {@code file} while it runs. */
  public ProcessConfig withPidFile(Path file) {
    return new ProcessConfig(
        command,
        workDir,
        env,
        timeout,
        gracePeriod,
        file,
        maxOutputBytes,
        outputWaitDelay,
        launcher);
  }

  /** This config with another output cap. */
  public ProcessConfig withMaxOutputBytes(long max) {
    return new ProcessConfig(
        command, workDir, env, timeout, gracePeriod, pidFile, max, outputWaitDelay, launcher);
  }

  /** This config with another bound on reading output after the group is gone. */
  public ProcessConfig withOutputWaitDelay(Duration delay) {
    return new ProcessConfig(
        command, workDir, env, timeout, gracePeriod, pidFile, maxOutputBytes, delay, launcher);
  }

  /** This config started by {@code with} instead of plain {@code setsid}. */
  public ProcessConfig withLauncher(Launcher with) {
    return new ProcessConfig(
        command,
        workDir,
        env,
        timeout,
        gracePeriod,
        pidFile,
        maxOutputBytes,
        outputWaitDelay,
        with);
  }

  /** This config with another environment (complete, as {@link #env()}). */
  public ProcessConfig withEnv(Map<String, String> with) {
    return new ProcessConfig(
        command,
        workDir,
        with,
        timeout,
        gracePeriod,
        pidFile,
        maxOutputBytes,
        outputWaitDelay,
        launcher);
  }

  /** Leaves out environment values: plan variables may hold tokens, and configs get logged. */
  @Override
  public String toString() {
    return "ProcessConfig[command="
        + command
        + ", workDir="
        + workDir
        + ", env="
        + env.keySet().stream().sorted().toList()
        + ", timeout="
        + timeout
        + ", gracePeriod="
        + gracePeriod
        + ", pidFile="
        + pidFile
        + ", maxOutputBytes="
        + maxOutputBytes
        + ", outputWaitDelay="
        + outputWaitDelay
        + ", launcher="
        + launcher
        + "]";
  }

  // ProcessBuilder would throw an obscure error later; a plan with a bad name should fail clearly.
  private static void requireValidVariable(String name, String value) {
    if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("invalid environment variable name: '" + name + "'");
    }
    if (value.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("environment variable " + name + " contains a NUL byte");
    }
  }

  private static void requirePositive(String name, Duration d) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + d);
    }
  }

  private static void requireNotNegative(String name, Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative: " + d);
    }
  }
}
