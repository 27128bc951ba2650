package dev.kiln.activities.pipeline;

import dev.kiln.activities.files.WorkspaceFiles;
import dev.kiln.workflows.plan.PipelinePlan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Maven: package without tests, then {@code verify} as the {@code unit} gate (unit and integration
 * tests, and whatever checks the project binds to verify). Batch mode and no transfer progress keep
 * the log to what the build says rather than thousands of download lines.
 */
final class MavenRule implements BuildRule {

  static final String FLAGS = "-B --no-transfer-progress";
  static final List<String> REPORTS =
      List.of("**/target/surefire-reports/TEST-*.xml", "**/target/failsafe-reports/TEST-*.xml");

  @Override
  public String lookedFor() {
    return "pom.xml";
  }

  @Override
  public Optional<PipelinePlan> plan(Path workspace) throws IOException {
    Optional<String> pom = WorkspaceFiles.read(workspace, "pom.xml");
    if (pom.isEmpty()) {
      return Optional.empty();
    }
    Wrapper mvn = Wrapper.choose(workspace, "mvnw", "mvn");
    boolean multiModule = pom.get().contains("<modules>");
    return Optional.of(
        new PipelinePlan(
            "detected Maven: pom.xml found, " + mvn.reason(),
            List.of(PlanDefaults.compile(mvn.command() + " " + FLAGS + " -DskipTests package")),
            List.of(multiModule ? "**/target/*.jar" : "target/*.jar"),
            List.of(PlanDefaults.gate("unit", mvn.command() + " " + FLAGS + " verify", REPORTS)),
            Map.of()));
  }
}
