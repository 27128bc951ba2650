package dev.kiln.activities.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.activities.files.WorkspaceFiles;
import dev.kiln.workflows.plan.CommandStep;
import dev.kiln.workflows.plan.GateSpec;
import dev.kiln.workflows.plan.PipelinePlan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * npm: install ({@code npm ci} when a lockfile pins the tree, else {@code npm install}), then
 * {@code npm run build} and {@code npm test} only when package.json defines those scripts. The test
 * script {@code npm init} writes ("no test specified", exit 1) counts as no test script.
 *
 * <p>{@code CI=true} is set because test runners such as Jest and react-scripts otherwise start in
 * interactive watch mode and never exit.
 */
final class NpmRule implements BuildRule {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public String lookedFor() {
    return "package.json";
  }

  @Override
  public Optional<PipelinePlan> plan(Path workspace) throws IOException {
    Optional<String> packageJson = WorkspaceFiles.read(workspace, "package.json");
    if (packageJson.isEmpty()) {
      return Optional.empty();
    }
    JsonNode scripts = scripts(packageJson.get());
    boolean locked =
        WorkspaceFiles.isFile(workspace, "package-lock.json")
            || WorkspaceFiles.isFile(workspace, "npm-shrinkwrap.json");
    List<String> notes = new ArrayList<>();
    notes.add(locked ? "using npm ci" : "no lockfile, using npm install");

    List<CommandStep> compile = new ArrayList<>();
    compile.add(PlanDefaults.compile(locked ? "npm ci" : "npm install"));
    if (scripts.path("build").isTextual()) {
      compile.add(PlanDefaults.compile("npm run build"));
    } else {
      notes.add("no build script");
    }
    List<GateSpec> gates = new ArrayList<>();
    if (isRealTestScript(scripts.path("test"))) {
      gates.add(PlanDefaults.gate("unit", "npm test", List.of()));
    } else {
      notes.add("no test script");
    }
    return Optional.of(
        new PipelinePlan(
            "detected npm: package.json found, " + String.join(", ", notes),
            compile,
            List.of(),
            gates,
            Map.of("CI", "true")));
  }

  /** A malformed package.json plans an install anyway: npm's own error says more than ours. */
  private static JsonNode scripts(String packageJson) {
    try {
      return JSON.readTree(packageJson).path("scripts");
    } catch (JsonProcessingException e) {
      return JSON.missingNode();
    }
  }

  private static boolean isRealTestScript(JsonNode test) {
    return test.isTextual() && !test.asText().contains("no test specified");
  }
}
