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

/**
 * {@code java -jar kiln-dev.jar worker}: one more build host joining a running {@link
 * DevStackProcess}, configured from the stack's {@code $KILN_HOME/dev-stack.env}, as a developer
 * would start it.
 */
final class ExtraWorkerProcess implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofMinutes(4);

  final String host;
  final Path home;
  private final Process process;
  private final Path console;

  private ExtraWorkerProcess(String host, Path home, Process process, Path console) {
    this.host = host;
    this.home = home;
    this.process = process;
    this.console = console;
  }

  /** Starts a worker serving {@code archs} as {@code host}, with its own KILN_HOME. */
  static ExtraWorkerProcess start(DevStackProcess stack, String host, Path home, String archs)
      throws IOException {
    Path jar = Path.of("target", "kiln-dev.jar").toAbsolutePath();
    Files.createDirectories(home);
    Path console = home.resolve("console-" + System.nanoTime() + ".log");
    ProcessBuilder builder =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx384m",
                    "-jar",
                    jar.toString(),
                    "worker",
                    "--kiln.worker.archs=" + archs,
                    "--kiln.worker.host=" + host,
                    "--kiln.worker.slots=1"))
            .redirectErrorStream(true)
            .redirectOutput(console.toFile());
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(name -> name.startsWith("KILN_") || name.startsWith("SPRING_"));
    env.putAll(stackEnv(stack.home.resolve("dev-stack.env")));
    env.put("KILN_HOME", home.toString());
    return new ExtraWorkerProcess(host, home, builder.start(), console);
  }

  /** Waits for the worker to poll its queues. */
  ExtraWorkerProcess awaitRunning() throws InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (console().contains("The Kiln worker is running")) {
        return this;
      }
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "worker " + host + " exited with " + process.exitValue() + ":\n" + console());
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
    throw new IllegalStateException("worker " + host + " not running:\n" + console());
  }

  /** SIGKILL: the host is lost, as when a machine dies; its process groups stay behind. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  boolean isAlive() {
    return process.isAlive();
  }

  String console() {
    try {
      return Files.readString(console, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(console unreadable: " + e + ")";
    }
  }

  /** SIGTERM, as Ctrl-C: the worker stops polling and its context closes. */
  @Override
  public void close() throws InterruptedException {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }

  /** {@code KEY='value'} lines, as {@code DevStackEnv} writes them. */
  static Map<String, String> stackEnv(Path file) throws IOException {
    Map<String, String> env = new LinkedHashMap<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      int eq = line.indexOf('=');
      if (eq <= 0) {
        continue;
      }
      String value = line.substring(eq + 1);
      if (value.startsWith("'") && value.endsWith("'") && value.length() >= 2) {
        value = value.substring(1, value.length() - 1).replace("'\\''", "'");
      }
      env.put(line.substring(0, eq), value);
    }
    return env;
  }
}
