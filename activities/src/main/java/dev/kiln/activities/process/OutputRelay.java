package dev.kiln.activities.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The small process between a command's output and its spool file: it copies the first {@code
 * limit} bytes into the spool, then reads the rest only to count it. The command writes into a pipe
 * that this process drains as fast as it comes (it runs no Java, so no pause of the worker's JVM
 * ever makes the command wait), and the spool can never hold more than {@code limit} bytes, however
 * fast the command writes and however late the worker gets to read: its disk is bounded by the
 * kernel, not by scheduling.
 *
 * <p>It is {@code head -c} followed by {@code wc -c} (GNU coreutils), started in one pipeline with
 * the command ({@link ProcessBuilder#startPipeline}), with nothing of the command's environment. It
 * ends when every process holding the pipe's write end has closed it; one that escaped the
 * command's process group may keep it open, hence {@link #kill}.
 */
final class OutputRelay {

  private static final Logger log = LoggerFactory.getLogger(OutputRelay.class);

  /** How long {@link #kill} waits for the killed relay to be gone. */
  private static final Duration KILL_WAIT = Duration.ofSeconds(1);

  /**
   * Copies exactly $1 bytes to stdout, each piece as soon as it is read (a log line must not wait
   * for stdio's buffer to fill: hence stdbuf), then counts the rest onto stderr. GNU head never
   * reads past its count.
   */
  private static final String SCRIPT = "stdbuf -o0 head -c \"$1\"; exec wc -c >&2";

  private final Process process;

  private OutputRelay(Process process) {
    this.process = process;
  }

  /**
   * The relay's end of a pipeline whose first stage is the command: copies {@code limit} bytes of
   * what it reads into {@code spool}. Started under the launcher's {@link Launcher#helperPrefix}:
   * in a sandbox, inside the step's cgroups, so that a worker busy with the log (or anything else)
   * never starves the relay, and with it the command waiting on the pipe.
   */
  static ProcessBuilder builder(Launcher launcher, Path spool, long limit) {
    List<String> command = new ArrayList<>(launcher.helperPrefix());
    command.addAll(List.of("/bin/sh", "-c", SCRIPT, "kiln-output", Long.toString(limit)));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectOutput(spool.toFile())
            .redirectError(ProcessBuilder.Redirect.PIPE);
    builder.environment().clear();
    builder.environment().put("PATH", "/usr/bin:/bin");
    builder.environment().put("LC_ALL", "C");
    return builder;
  }

  static OutputRelay of(Process process) {
    return new OutputRelay(process);
  }

  /**
   * Waits up to {@code wait} for the relay to see the end of the output.
   *
   * @return how many bytes it read past {@code limit}; empty if it did not end in time, or failed
   */
  OptionalLong awaitBytesPastLimit(Duration wait) {
    try {
      if (!process.waitFor(wait.toNanos(), TimeUnit.NANOSECONDS)) {
        return OptionalLong.empty();
      }
      String counted = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      List<String> lines = counted.lines().toList();
      String last = lines.isEmpty() ? "" : lines.get(lines.size() - 1).trim();
      if (process.exitValue() != 0 || !last.matches("\\d+")) {
        log.warn("output relay exited {}: {}", process.exitValue(), counted.strip());
        return OptionalLong.empty();
      }
      return OptionalLong.of(Long.parseLong(last));
    } catch (IOException e) {
      log.warn("cannot read what the output relay counted: {}", e.toString());
      return OptionalLong.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return OptionalLong.empty();
    }
  }

  /** Kills the relay (its shell and whichever of dd or wc runs); nothing more is counted. */
  void kill() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      // SIGKILL ends it within milliseconds; after this no write of its reaches the spool.
      process.waitFor(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
