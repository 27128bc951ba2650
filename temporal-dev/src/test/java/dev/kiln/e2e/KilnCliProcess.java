package dev.kiln.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The {@code kiln} command line as a user runs it: {@code bin/kiln} at the repository root (which
 * runs {@code cli/target/kiln-cli.jar}), a separate process whose stdout and stderr go to files,
 * its configuration from the environment and a home directory of the test's own.
 */
final class KilnCliProcess {

  private static final Path LAUNCHER = Path.of("..", "bin", "kiln").toAbsolutePath().normalize();

  private final Process process;
  private final Path stdout;
  private final Path stderr;

  private KilnCliProcess(Process process, Path stdout, Path stderr) {
    this.process = process;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /** What a finished command left: its exit code and everything it printed. */
  record Finished(int exitCode, String out, String err) {}

  /**
   * Starts {@code kiln args...} with {@code KILN_URL=url} (none when null).
   *
   * @param dir where its output files go; also its {@code HOME}, so no config file of the machine's
   *     user is read
   */
  static KilnCliProcess start(Path dir, String url, String... args) throws IOException {
    return start(dir, url, Map.of(), args);
  }

  /**
   * As {@link #start(Path, String, String...)}, with {@code env} added last (a {@code HOME} there
   * replaces the command's own).
   */
  static KilnCliProcess start(Path dir, String url, Map<String, String> extraEnv, String... args)
      throws IOException {
    if (!Files.exists(LAUNCHER.getParent().resolve("../cli/target/kiln-cli.jar"))) {
      throw new IllegalStateException("cli/target/kiln-cli.jar is missing: run ./mvnw install");
    }
    Path run = Files.createTempDirectory(Files.createDirectories(dir), "kiln-");
    // As from a terminal, Ctrl-C reaches the command: a test run as a background job of a
    // non-interactive shell (a CI script's `mvn ... &`) inherits SIGINT ignored, and the JVM
    // then keeps it ignored, so {@link #interrupt} would do nothing.
    List<String> command =
        new ArrayList<>(List.of("env", "--default-signal=INT", LAUNCHER.toString()));
    command.addAll(List.of(args));
    Path out = run.resolve("stdout");
    Path err = run.resolve("stderr");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(name -> name.startsWith("KILN_") || name.equals("XDG_CONFIG_HOME"));
    if (url != null) {
      env.put("KILN_URL", url);
    }
    env.put("HOME", run.toString());
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.putAll(extraEnv);
    return new KilnCliProcess(builder.start(), out, err);
  }

  /** Runs {@code kiln args...} to its end. */
  static Finished run(Path dir, String url, Duration timeout, String... args)
      throws IOException, InterruptedException {
    return start(dir, url, args).await(timeout);
  }

  Finished await(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor();
      throw new AssertionError(
          "kiln did not exit within " + timeout + "; stdout:\n" + out() + "\nstderr:\n" + err());
    }
    return new Finished(process.exitValue(), out(), err());
  }

  /** SIGINT, as Ctrl-C in a terminal sends it; env and bin/kiln exec java, so this is its pid. */
  void interrupt() throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start();
    if (kill.waitFor() != 0) {
      throw new IllegalStateException("kill -INT " + process.pid() + " failed");
    }
  }

  String out() {
    return read(stdout);
  }

  String err() {
    return read(stderr);
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }
}
