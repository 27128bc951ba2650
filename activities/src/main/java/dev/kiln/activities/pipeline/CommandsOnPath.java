package dev.kiln.activities.pipeline;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Whether a command is on this worker's {@code PATH}: the build sandbox keeps the worker's {@code
 * PATH} and sees its files read-only, so a tool found here is found by the build too.
 */
final class CommandsOnPath implements Predicate<String> {

  private final String path;

  CommandsOnPath(String path) {
    this.path = path == null ? "" : path;
  }

  /** The worker process's own {@code PATH}. */
  static CommandsOnPath ofThisProcess() {
    return new CommandsOnPath(System.getenv("PATH"));
  }

  @Override
  public boolean test(String command) {
    for (String dir : path.split(Pattern.quote(File.pathSeparator))) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }
}
