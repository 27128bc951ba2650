package dev.kiln.dev;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one command of an installer ({@code pip install}, {@code go install}) as a child process:
 * each line it prints goes to {@code onLine} as it comes, which says whether it showed it; after 15
 * seconds without anything shown the console hears that the command is still working; and it is
 * killed when it overruns its time.
 */
final class InstallCommand {

  private static final Logger log = LoggerFactory.getLogger(InstallCommand.class);

  /** How long the command may stay silent before the console says it is still working. */
  static final Duration QUIET_REPORT_INTERVAL = Duration.ofSeconds(15);

  private static final int TAIL_LINES = 15;

  private InstallCommand() {}

  /**
   * What a finished command left: its exit code and its last lines.
   *
   * @param exitCode the process's exit status
   * @param tail its last lines, for an error message
   */
  record Outcome(int exitCode, List<String> tail) {
    boolean succeeded() {
      return exitCode == 0;
    }

    /** One line: the exit code and the command's last words. */
    String failure() {
      return "exit code "
          + exitCode
          + (tail.isEmpty()
              ? ""
              : ": " + String.join(" / ", tail.subList(Math.max(0, tail.size() - 3), tail.size())));
    }
  }

  /**
   * Runs {@code command} with {@code extraEnv} added to this process's environment.
   *
   * @param what what the command does, for "still …" lines
   * @throws IOException when it cannot start or does not finish within {@code timeout}
   */
  static Outcome run(
      List<String> command,
      Map<String, String> extraEnv,
      Duration timeout,
      String what,
      Predicate<String> onLine)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(extraEnv);
    Process process = builder.start();
    process.getOutputStream().close();
    AtomicLong lastLine = new AtomicLong(System.nanoTime());
    Deque<String> tail = new ArrayDeque<>();
    Thread pump = new Thread(() -> pump(process, lastLine, tail, onLine), "install-command-output");
    pump.setDaemon(true);
    pump.start();
    try {
      await(process, timeout, what, lastLine);
    } finally {
      if (process.isAlive()) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor();
      }
    }
    pump.join(TimeUnit.SECONDS.toMillis(5));
    synchronized (tail) {
      return new Outcome(process.exitValue(), List.copyOf(tail));
    }
  }

  private static void await(Process process, Duration timeout, String what, AtomicLong lastLine)
      throws IOException, InterruptedException {
    long started = System.nanoTime();
    long deadline = started + timeout.toNanos();
    while (!process.waitFor(1, TimeUnit.SECONDS)) {
      long now = System.nanoTime();
      if (now > deadline) {
        throw new IOException(what + " did not finish within " + timeout.toMinutes() + " min");
      }
      if (now - lastLine.get() >= QUIET_REPORT_INTERVAL.toNanos()) {
        lastLine.set(now);
        log.info("  ... still {} ({} s)", what, TimeUnit.NANOSECONDS.toSeconds(now - started));
      }
    }
  }

  private static void pump(
      Process process, AtomicLong lastLine, Deque<String> tail, Predicate<String> onLine) {
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        synchronized (tail) {
          if (!line.isBlank()) {
            tail.addLast(line.strip());
            if (tail.size() > TAIL_LINES) {
              tail.removeFirst();
            }
          }
        }
        if (onLine.test(line)) {
          lastLine.set(System.nanoTime());
        }
      }
    } catch (IOException e) {
      log.debug("Installer output ended: {}", e.getMessage());
    }
  }
}
