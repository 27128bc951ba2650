package dev.kiln.dev;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends a server process that a dev stack killed with SIGKILL left running: it would hold its port
 * and its database files, and the next start would fail. Only called under the KILN_HOME lock, so a
 * live dev stack's process is never touched.
 */
final class LeftoverProcess {

  private static final Logger log = LoggerFactory.getLogger(LeftoverProcess.class);

  private static final Duration GRACE = Duration.ofSeconds(15);

  private LeftoverProcess() {}

  /**
   * Ends the process whose pid is on the first line of {@code pidFile}, if it is alive and its
   * command contains {@code commandHint}; a pid that now belongs to something else is left alone.
   *
   * @return whether a process was ended
   */
  static boolean endRecorded(Path pidFile, String commandHint, String what) {
    Optional<ProcessHandle> process = readPid(pidFile).flatMap(ProcessHandle::of);
    if (process.isEmpty() || !process.get().isAlive() || !matches(process.get(), commandHint)) {
      return false;
    }
    log.warn(
        "A {} from an earlier dev stack is still running (pid {}); stopping it",
        what,
        process.get().pid());
    end(process.get());
    return true;
  }

  /**
   * SIGTERM, so the server shuts down cleanly and flushes its files; SIGKILL after a grace period.
   */
  static void end(ProcessHandle process) {
    List<ProcessHandle> descendants = process.descendants().toList();
    process.destroy();
    if (!awaitExit(process, GRACE)) {
      log.warn("pid {} ignored SIGTERM for {} s; killing it", process.pid(), GRACE.toSeconds());
      process.destroyForcibly();
      awaitExit(process, GRACE);
    }
    for (ProcessHandle child : descendants) {
      if (child.isAlive()) {
        child.destroyForcibly();
        awaitExit(child, GRACE);
      }
    }
  }

  static boolean awaitExit(ProcessHandle process, Duration timeout) {
    try {
      process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      return !process.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !process.isAlive();
    }
  }

  private static boolean matches(ProcessHandle process, String commandHint) {
    ProcessHandle.Info info = process.info();
    return info.command().map(c -> c.contains(commandHint)).orElse(false)
        || info.commandLine().map(c -> c.contains(commandHint)).orElse(false);
  }

  /** The pid on the first line of {@code pidFile}, if there is one. */
  static Optional<Long> readPid(Path pidFile) {
    try {
      if (!Files.isRegularFile(pidFile)) {
        return Optional.empty();
      }
      List<String> lines = Files.readAllLines(pidFile, StandardCharsets.US_ASCII);
      return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).trim()));
    } catch (IOException | NumberFormatException e) {
      log.debug("Ignoring unreadable pid file {}: {}", pidFile, e.toString());
      return Optional.empty();
    }
  }
}
