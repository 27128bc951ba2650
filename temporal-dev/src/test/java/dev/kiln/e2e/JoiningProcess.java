package dev.kiln.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * {@code java -jar kiln-dev.jar worker|api}: one more build worker or api joining a running dev
 * stack, as docs/operations.md tells a developer to start one, with the stack's {@code
 * dev-stack.env} in its environment. A separate process, so a test can SIGKILL it.
 */
final class JoiningProcess implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofMinutes(4);

  private final Process process;
  private final Path console;
  private final String mode;
  private final int offset;

  private JoiningProcess(Process process, Path console, String mode, int offset) {
    this.process = process;
    this.console = console;
    this.mode = mode;
    this.offset = offset;
  }

  /**
   * Starts {@code mode} ({@code worker} or {@code api}) and waits until it says it runs.
   *
   * @param stack the stack it joins
   * @param home its own KILN_HOME, which also holds its console output
   * @param settings further environment, such as {@code SERVER_PORT} or {@code KILN_WORKER_ARCHS}
   */
  static JoiningProcess start(
      DevStackProcess stack, String mode, Path home, Map<String, String> settings)
      throws IOException, InterruptedException {
    return launch(stack, mode, home, settings).awaitRunning();
  }

  /** Starts {@code mode} without waiting, so that several can start at once. */
  static JoiningProcess launch(
      DevStackProcess stack, String mode, Path home, Map<String, String> settings)
      throws IOException {
    Files.createDirectories(home);
    Path console = home.resolve(mode + "-console.log");
    ProcessBuilder builder =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx384m",
                    "-XX:TieredStopAtLevel=1",
                    "-XX:CompileThresholdScaling=0.25",
                    "-jar",
                    Path.of("target", "kiln-dev.jar").toAbsolutePath().toString(),
                    mode))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(console.toFile()));
    Map<String, String> env = builder.environment();
    // only the stack's settings and the ones given: none of the test JVM's own
    env.keySet().removeIf(name -> name.startsWith("KILN_") || name.startsWith("SPRING_"));
    env.putAll(stackEnvironment(stack));
    env.put("KILN_HOME", home.toString());
    env.putAll(settings);
    int offset = Files.exists(console) ? Files.readString(console).length() : 0;
    return new JoiningProcess(builder.start(), console, mode, offset);
  }

  /** The variables of the stack's {@code $KILN_HOME/dev-stack.env}, unquoted. */
  static Map<String, String> stackEnvironment(DevStackProcess stack) throws IOException {
    Map<String, String> env = new LinkedHashMap<>();
    for (String line : Files.readAllLines(stack.home.resolve("dev-stack.env"))) {
      int equals = line.indexOf('=');
      if (equals > 0) {
        String quoted = line.substring(equals + 1);
        String value =
            quoted.startsWith("'") && quoted.endsWith("'")
                ? quoted.substring(1, quoted.length() - 1).replace("'\\''", "'")
                : quoted;
        env.put(line.substring(0, equals), value);
      }
    }
    return env;
  }

  String console() {
    try {
      return Files.readString(console, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(console unreadable: " + e + ")";
    }
  }

  /** SIGKILL: the process dies without any of its shutdown code, as when a host loses power. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /**
   * SIGSTOP: the JVM freezes as a whole, as when its host is cut off or stalls; what it started
   * (build commands in their own process groups) runs on.
   */
  void freeze() throws IOException, InterruptedException {
    signal("-STOP");
  }

  /** SIGCONT after {@link #freeze}: the JVM carries on where it stopped. */
  void thaw() throws IOException, InterruptedException {
    signal("-CONT");
  }

  private void signal(String signal) throws IOException, InterruptedException {
    Process kill =
        new ProcessBuilder("kill", signal, Long.toString(process.pid()))
            .redirectErrorStream(true)
            .start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IllegalStateException("kill " + signal + " " + process.pid() + " failed");
    }
  }

  /** SIGTERM, without waiting: a build worker drains, then exits. */
  void terminate() {
    process.destroy();
  }

  /** Waits until it has exited, and says with which status. */
  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException(
          "kiln-dev.jar " + mode + " still running after " + timeout + ":\n" + console());
    }
    return process.exitValue();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Waits for its ready line, written after {@link #offset}: a restart appends to the console. */
  JoiningProcess awaitRunning() throws InterruptedException {
    String ready = "The Kiln " + mode + " is running";
    try {
      Awaitility.await()
          .atMost(START_TIMEOUT)
          .pollInterval(Duration.ofMillis(200))
          .pollDelay(Duration.ZERO)
          .until(
              () -> {
                boolean running = console().indexOf(ready, offset) >= 0;
                if (!running && !process.isAlive()) {
                  throw new IllegalStateException(
                      "kiln-dev.jar "
                          + mode
                          + " exited with "
                          + process.exitValue()
                          + ":\n"
                          + console());
                }
                return running;
              });
      return this;
    } catch (ConditionTimeoutException notRunning) {
      close();
      throw new IllegalStateException(
          "kiln-dev.jar " + mode + " not running within " + START_TIMEOUT + ":\n" + console(),
          notRunning);
    }
  }

  /** Stops it the way Ctrl-C does. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
