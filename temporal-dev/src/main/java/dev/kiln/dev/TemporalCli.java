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

/** Finds the {@code temporal} CLI, which runs the dev server. */
final class TemporalCli {

  /** The CLI release the dev stack installs; it embeds Temporal server 1.29.1. */
  static final String VERSION = "v1.5.1";

  static final String GO_PACKAGE = "github.com/temporalio/cli/cmd/temporal";

  private TemporalCli() {}

  /**
   * The places searched, in order: each directory on {@code PATH}, then {@code $KILN_HOME/bin}
   * (where the dev stack installs it), then {@code ~/go/bin} (where a plain {@code go install} puts
   * it).
   */
  static List<Path> searchPath(String pathVariable, Path kilnBin, Path userHome) {
    List<Path> dirs = new ArrayList<>(pathDirectories(pathVariable));
    dirs.add(kilnBin);
    dirs.add(userHome.resolve("go").resolve("bin"));
    return dirs;
  }

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

  /** The first executable {@code temporal} in {@link #searchPath}. */
  static Optional<Path> locate(String pathVariable, Path kilnBin, Path userHome) {
    return searchPath(pathVariable, kilnBin, userHome).stream()
        .map(dir -> dir.resolve(executableName()))
        .filter(file -> Files.isRegularFile(file) && Files.isExecutable(file))
        .map(Path::toAbsolutePath)
        .findFirst();
  }

  static String executableName() {
    return isWindows() ? "temporal.exe" : "temporal";
  }

  static boolean isWindows() {
    return System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("windows");
  }

  /**
   * What {@code temporal --version} says, for the console; empty when it does not answer. A {@code
   * go install}-ed CLI calls itself {@code 0.0.0-DEV} but still names the server it embeds.
   */
  static Optional<String> version(Path cli) {
    try {
      Process process =
          new ProcessBuilder(cli.toString(), "--version").redirectErrorStream(true).start();
      process.getOutputStream().close();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return Optional.empty();
      }
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return process.exitValue() == 0 ? Optional.of(out.strip()) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }
}
