package dev.kiln.activities.pipeline;

import dev.kiln.activities.files.WorkspaceFiles;
import dev.kiln.workflows.plan.PipelinePlan;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Go: build and test every package; {@code go vet} as an optional gate, reported but not failing
 * the run, since vet findings are advice more often than bugs. {@code go build ./...} discards
 * binaries when it builds several packages, so there are no artifacts to guess.
 *
 * <p>The tests run with {@code -json}: test2json's events name the test of every output line, even
 * of a panic's goroutine dump. The build host reads them from the output and shows their text in
 * the log as plain {@code go test} would.
 */
final class GoRule implements BuildRule {

  @Override
  public String lookedFor() {
    return "go.mod";
  }

  @Override
  public Optional<PipelinePlan> plan(Path workspace) {
    if (!WorkspaceFiles.isFile(workspace, "go.mod")) {
      return Optional.empty();
    }
    return Optional.of(
        new PipelinePlan(
            "detected Go: go.mod found",
            List.of(PlanDefaults.compile("go build ./...")),
            List.of(),
            List.of(
                PlanDefaults.gate("unit", "go test -json ./...", List.of()),
                PlanDefaults.optionalGate("vet", "go vet ./...")),
            Map.of()));
  }
}
