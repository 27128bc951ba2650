package dev.kiln.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.dev.Ports;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The whole dev stack as a newcomer starts it: {@code java -jar temporal-dev/target/kiln-dev.jar},
 * a separate process with its own KILN_HOME and free ports. In CI ({@code CI=true}) it must run on
 * the real Temporal dev server: the stack refuses the in-process fallback there.
 */
final class DevStackProcess implements AutoCloseable {

  /** {@code kiln.dispatch.no-worker-timeout} of the stack, as the api writes it in its texts. */
  static final String NO_WORKER_TIMEOUT = "20s";

  private static final Duration START_TIMEOUT = Duration.ofMinutes(6);

  private final Process process;
  private final Path console;
  private List<ProcessHandle> startedChildren = List.of();
  final Path home;
  final int apiPort;
  final int temporalPort;
  final int uiPort;

  private DevStackProcess(Process process, Path console, Path home, int api, int temporal, int ui) {
    this.process = process;
    this.console = console;
    this.home = home;
    this.apiPort = api;
    this.temporalPort = temporal;
    this.uiPort = ui;
  }

  static DevStackProcess start(Path home) throws IOException, InterruptedException {
    return start(home, Map.of());
  }

  /**
   * Starts a stack whose environment also has {@code extraEnv}, such as {@code KILN_WORKER_SLOTS}
   * or {@code KILN_ARCHS}: Spring reads them in the api and the worker as {@code kiln.*} settings.
   */
  static DevStackProcess start(Path home, Map<String, String> extraEnv)
      throws IOException, InterruptedException {
    Path jar = Path.of("target", "kiln-dev.jar").toAbsolutePath();
    if (!Files.exists(jar)) {
      throw new IllegalStateException(jar + " is missing: run ./mvnw verify from the root");
    }
    int api = Ports.freePort();
    int temporal = Ports.freePort();
    int ui = Ports.freePort();
    Path console = home.resolve("console.log");
    Files.createDirectories(home);
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx1g");
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-XX:CompileThresholdScaling=0.25");
    command.add("-jar");
    command.add(jar.toString());
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(console.toFile());
    Map<String, String> env = builder.environment();
    env.put("KILN_HOME", home.toString());
    env.put("SERVER_PORT", String.valueOf(api));
    env.put("KILN_TEMPORAL_PORT", String.valueOf(temporal));
    env.put("KILN_TEMPORAL_UI_PORT", String.valueOf(ui));
    // short, so the run for an architecture nobody serves fails within the test's patience
    env.put("KILN_DISPATCH_NO_WORKER_TIMEOUT", NO_WORKER_TIMEOUT);
    env.remove("KILN_TEMPORAL_ADDRESS");
    env.remove("SPRING_DATASOURCE_URL");
    if ("true".equals(System.getenv("CI"))) {
      env.put("KILN_REQUIRE_TEMPORAL_CLI", "true");
    }
    env.putAll(extraEnv);
    DevStackProcess stack = new DevStackProcess(builder.start(), console, home, api, temporal, ui);
    stack.awaitUp();
    stack.startedChildren = stack.process.descendants().toList();
    return stack;
  }

  String baseUrl() {
    return "http://127.0.0.1:" + apiPort;
  }

  String temporalAddress() {
    return "127.0.0.1:" + temporalPort;
  }

  String console() {
    try {
      return Files.readString(console, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(console unreadable: " + e + ")";
    }
  }

  long pid() {
    return process.pid();
  }

  private void awaitUp() throws InterruptedException {
    try {
      Awaitility.await()
          .atMost(START_TIMEOUT)
          .pollInterval(Duration.ofMillis(250))
          .pollDelay(Duration.ZERO)
          .until(
              () -> {
                if (!process.isAlive() && !console().contains("Kiln is up")) {
                  throw new IllegalStateException(
                      "dev stack exited with " + process.exitValue() + ":\n" + console());
                }
                return console().contains("Kiln is up");
              });
    } catch (ConditionTimeoutException notUp) {
      close();
      throw new IllegalStateException(
          "dev stack not up within " + START_TIMEOUT + ":\n" + console(), notUp);
    }
  }

  /** Stops the stack the way Ctrl-C does (SIGTERM runs its shutdown hook). */
  @Override
  public void close() throws InterruptedException {
    List<ProcessHandle> descendants = process.descendants().toList();
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
    descendants.forEach(ProcessHandle::destroyForcibly);
  }

  /**
   * Stops the stack as {@link #close} does and asserts that none of the processes it had started
   * (Temporal, PostgreSQL, build commands) outlived it.
   */
  void stopLeavingNothingBehind() throws InterruptedException {
    close();
    assertThat(startedChildren.stream().filter(ProcessHandle::isAlive).toList())
        .as("processes the dev stack left behind")
        .isEmpty();
  }
}
