package dev.kiln.dev;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs the Temporal CLI with the Go toolchain when the machine has one, once: {@code go install
 * github.com/temporalio/cli/cmd/temporal@v1.5.1} into {@code $KILN_HOME/bin}. The CLI's go.mod asks
 * for Go 1.25, so an older toolchain is not tried.
 */
final class TemporalCliInstaller {

  private static final Logger log = LoggerFactory.getLogger(TemporalCliInstaller.class);

  static final GoVersion MINIMUM_GO = new GoVersion(1, 25);

  /** A first build downloads ~200 modules and compiles the server; this is generous. */
  private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(20);

  /** How long the go tool may stay silent before the console says it is still working. */
  private static final Duration QUIET_REPORT_INTERVAL = Duration.ofSeconds(15);

  private static final Pattern GO_VERSION = Pattern.compile("go(\\d+)\\.(\\d+)");

  /** {@code go install -v} prints each package it builds as a bare import path. */
  private static final Pattern PACKAGE_LINE = Pattern.compile("[\\w.~+\\-]+(/[\\w.~+\\-]+)*");

  /** The official tarball's location, often missing from PATH in non-login shells. */
  private static final List<Path> USUAL_GO_DIRECTORIES = List.of(Path.of("/usr/local/go/bin"));

  private final Map<String, String> env;
  private final Path kilnBin;
  private final List<Path> extraGoDirectories;

  TemporalCliInstaller(Map<String, String> env, Path kilnBin) {
    this(env, kilnBin, USUAL_GO_DIRECTORIES);
  }

  /** With {@code extraGoDirectories} searched after {@code PATH}. */
  TemporalCliInstaller(Map<String, String> env, Path kilnBin, List<Path> extraGoDirectories) {
    this.env = env;
    this.kilnBin = kilnBin;
    this.extraGoDirectories = extraGoDirectories;
  }

  record GoVersion(int major, int minor) {
    boolean isAtLeast(GoVersion other) {
      return major != other.major ? major > other.major : minor >= other.minor;
    }

    @Override
    public String toString() {
      return "go" + major + "." + minor;
    }
  }

  /** Parses {@code go env GOVERSION} output such as {@code go1.25.3} or {@code go1.26rc1}. */
  static Optional<GoVersion> parseGoVersion(String text) {
    Matcher m = GO_VERSION.matcher(text);
    return m.find()
        ? Optional.of(new GoVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))))
        : Optional.empty();
  }

  /**
   * Installs the CLI if a Go toolchain that can build it is here.
   *
   * @return the installed CLI, or a reason it could not be installed
   */
  Result installIfPossible() {
    Optional<Path> go = findGo();
    if (go.isEmpty()) {
      return Result.notInstalled("Go is not installed (no 'go' on PATH)");
    }
    Optional<GoVersion> version = goVersion(go.get());
    if (version.isEmpty()) {
      return Result.notInstalled(go.get() + " did not report its version");
    }
    if (!version.get().isAtLeast(MINIMUM_GO)) {
      return Result.notInstalled(
          go.get()
              + " is "
              + version.get()
              + "; the Temporal CLI needs "
              + MINIMUM_GO
              + " or newer");
    }
    try {
      return Result.installed(install(go.get()));
    } catch (IOException | UncheckedIOException e) {
      return Result.notInstalled("'go install' failed: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Result.notInstalled("interrupted while installing");
    }
  }

  /** Either the installed CLI or why there is none. */
  record Result(Optional<Path> cli, String reason) {
    static Result installed(Path cli) {
      return new Result(Optional.of(cli), "installed");
    }

    static Result notInstalled(String reason) {
      return new Result(Optional.empty(), reason);
    }
  }

  Optional<Path> findGo() {
    List<Path> dirs = new ArrayList<>(TemporalCli.pathDirectories(env.get("PATH")));
    dirs.addAll(extraGoDirectories);
    return dirs.stream()
        .map(dir -> dir.resolve(TemporalCli.isWindows() ? "go.exe" : "go"))
        .filter(f -> Files.isRegularFile(f) && Files.isExecutable(f))
        .findFirst();
  }

  Optional<GoVersion> goVersion(Path go) {
    try {
      Process process =
          new ProcessBuilder(go.toString(), "env", "GOVERSION").redirectErrorStream(true).start();
      process.getOutputStream().close();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        return Optional.empty();
      }
      return parseGoVersion(out);
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /**
   * Runs {@code go install} with its output on the console. The binary is built into a scratch
   * directory and moved into place at the end, so an interrupted install never leaves a
   * half-written {@code temporal} for the next start to trip over.
   */
  Path install(Path go) throws IOException, InterruptedException {
    Files.createDirectories(kilnBin);
    Path scratch = Files.createTempDirectory(kilnBin, ".install-");
    String target = TemporalCli.GO_PACKAGE + "@" + TemporalCli.VERSION;
    log.info(
        "Installing the Temporal CLI {} into {} with {} (once; the first build takes a few minutes)",
        TemporalCli.VERSION,
        kilnBin,
        go);
    log.info("$ GOBIN={} {} install -v {}", kilnBin, go, target);
    try {
      ProcessBuilder builder =
          new ProcessBuilder(go.toString(), "install", "-v", target).redirectErrorStream(true);
      builder.environment().put("GOBIN", scratch.toString());
      Process process = builder.start();
      process.getOutputStream().close();
      Progress progress = new Progress();
      Thread pump = new Thread(() -> pump(process, progress), "go-install-output");
      pump.setDaemon(true);
      pump.start();
      awaitInstall(process, progress);
      pump.join(TimeUnit.SECONDS.toMillis(5));
      if (process.exitValue() != 0) {
        throw new IOException(
            "exit code " + process.exitValue() + "; the go tool's output is above");
      }
      Path built = scratch.resolve(TemporalCli.executableName());
      if (!Files.isExecutable(built)) {
        throw new IOException("go install finished but produced no " + built.getFileName());
      }
      Path installed = kilnBin.resolve(TemporalCli.executableName());
      Files.move(
          built, installed, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      log.info("Installed the Temporal CLI {} at {}", TemporalCli.VERSION, installed);
      return installed;
    } finally {
      deleteRecursively(scratch);
    }
  }

  private void awaitInstall(Process process, Progress progress) throws InterruptedException {
    long started = System.nanoTime();
    long deadline = started + INSTALL_TIMEOUT.toNanos();
    while (!process.waitFor(QUIET_REPORT_INTERVAL.toSeconds(), TimeUnit.SECONDS)) {
      long now = System.nanoTime();
      if (now > deadline) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor();
        throw new UncheckedIOException(
            new IOException(
                "go install did not finish within " + INSTALL_TIMEOUT.toMinutes() + " minutes"));
      }
      if (now - progress.lastReport.get() >= QUIET_REPORT_INTERVAL.toNanos()) {
        progress.lastReport.set(now);
        log.info(
            "  ... still building the Temporal CLI ({} s, {} packages compiled)",
            TimeUnit.NANOSECONDS.toSeconds(now - started),
            progress.packages.get());
      }
    }
  }

  /**
   * Downloads and errors go to the console as they come. Every built package would be hundreds of
   * lines, so those are counted and the count reported now and then.
   */
  private static void pump(Process process, Progress progress) {
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        if (PACKAGE_LINE.matcher(line).matches()) {
          int built = progress.packages.incrementAndGet();
          if (built % 100 == 0) {
            log.info("  compiled {} packages", built);
            progress.lastReport.set(System.nanoTime());
          }
        } else {
          log.info("  {}", line);
          progress.lastReport.set(System.nanoTime());
        }
      }
    } catch (IOException e) {
      log.debug("go install output ended: {}", e.getMessage());
    }
  }

  private static final class Progress {
    final AtomicInteger packages = new AtomicInteger();
    final AtomicLong lastReport = new AtomicLong(System.nanoTime());
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** For a message listing what was searched. */
  static List<String> manualInstallHint() {
    return List.of(
        "go install "
            + TemporalCli.GO_PACKAGE
            + "@"
            + TemporalCli.VERSION
            + "   (Go 1.25 or newer)",
        "or download a release from https://github.com/temporalio/cli/releases and put 'temporal' on PATH");
  }
}
