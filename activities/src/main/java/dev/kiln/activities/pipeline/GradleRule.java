package dev.kiln.activities.pipeline;

import dev.kiln.activities.files.WorkspaceFiles;
import dev.kiln.workflows.plan.PipelinePlan;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Gradle: {@code assemble}, then {@code check} as the {@code unit} gate (the Gradle counterpart of
 * Maven's verify). No daemon, because a daemon outliving the build would escape the run's process
 * group and its cancellation; plain console, because the log is not a terminal.
 */
final class GradleRule implements BuildRule {

  static final String FLAGS = "--no-daemon --console=plain";

  @Override
  public String lookedFor() {
    return "build.gradle(.kts)";
  }

  @Override
  public Optional<PipelinePlan> plan(Path workspace) {
    String buildFile =
        WorkspaceFiles.isFile(workspace, "build.gradle.kts")
            ? "build.gradle.kts"
            : WorkspaceFiles.isFile(workspace, "build.gradle") ? "build.gradle" : null;
    if (buildFile == null) {
      return Optional.empty();
    }
    Wrapper gradle = Wrapper.choose(workspace, "gradlew", "gradle");
    boolean multiProject =
        WorkspaceFiles.isFile(workspace, "settings.gradle")
            || WorkspaceFiles.isFile(workspace, "settings.gradle.kts");
    return Optional.of(
        new PipelinePlan(
            "detected Gradle: " + buildFile + " found, " + gradle.reason(),
            List.of(PlanDefaults.compile(gradle.command() + " " + FLAGS + " assemble")),
            List.of(multiProject ? "**/build/libs/*.jar" : "build/libs/*.jar"),
            List.of(
                PlanDefaults.gate(
                    "unit",
                    gradle.command() + " " + FLAGS + " check",
                    List.of("**/build/test-results/**/*.xml"))),
            Map.of()));
  }
}
