package dev.kiln.activities.pipeline;

import dev.kiln.activities.files.WorkspaceFiles;
import dev.kiln.workflows.plan.PipelinePlan;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Buck2: build and test every target. Outputs live under hashed {@code buck-out} paths, so no
 * artifacts are guessed; a project that wants some lists them in kiln.yaml.
 */
final class Buck2Rule implements BuildRule {

  @Override
  public String lookedFor() {
    return ".buckconfig";
  }

  @Override
  public Optional<PipelinePlan> plan(Path workspace) {
    if (!WorkspaceFiles.isFile(workspace, ".buckconfig")) {
      return Optional.empty();
    }
    return Optional.of(
        new PipelinePlan(
            "detected Buck2: .buckconfig found",
            List.of(PlanDefaults.compile("buck2 build //...")),
            List.of(),
            List.of(PlanDefaults.gate("unit", "buck2 test //...", List.of())),
            Map.of()));
  }
}
