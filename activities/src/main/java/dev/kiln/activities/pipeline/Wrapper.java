package dev.kiln.activities.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Chooses between a project's wrapper script ({@code mvnw}, {@code gradlew}) and the tool on the
 * PATH. The wrapper pins the tool version the project was written for, so it wins when it can run.
 *
 * @param command what the plan runs, e.g. {@code ./mvnw}
 * @param reason the part of the plan's origin sentence that explains the choice
 */
record Wrapper(String command, String reason) {

  static Wrapper choose(Path workspace, String script, String tool) {
    Path file = workspace.resolve(script);
    if (Files.isRegularFile(file) && Files.isExecutable(file)) {
      return new Wrapper("./" + script, "using ./" + script);
    }
    if (Files.isRegularFile(file)) {
      // Often committed from Windows without the executable bit; the PATH tool is the safe choice.
      return new Wrapper(tool, script + " is not executable, using " + tool);
    }
    return new Wrapper(tool, "no " + script + ", using " + tool);
  }
}
