package dev.kiln.activities.pipeline;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.kiln.activities.files.WorkspaceFiles;
import dev.kiln.workflows.plan.CommandStep;
import dev.kiln.workflows.plan.GateSpec;
import dev.kiln.workflows.plan.PipelinePlan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A command runner's file that declares a {@code build} or {@code test} recipe: just's {@code
 * justfile} or Task's {@code Taskfile.yml}. {@code just build} / {@code task build} compiles and
 * {@code just test} / {@code task test} is the gate, each only when declared; a file declaring
 * neither is not a build and detection goes on.
 *
 * <p>The runner is looked up on the worker's {@code PATH} when the plan is made; when it is
 * missing, the plan is still this one (the file says how the project builds) and its log line says
 * that the runner is missing, so the failing step's "command not found" has its explanation.
 */
final class TaskRunnerRule implements BuildRule {

  /**
   * A recipe header at the start of a line: name, optional parameters, a colon not of {@code :=}.
   */
  private static final Pattern JUST_RECIPE =
      Pattern.compile("^@?([A-Za-z_][A-Za-z0-9_-]*)(?:\\s+[^:\\n]*)?:(?!=)", Pattern.MULTILINE);

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  enum Runner {
    JUST("just", List.of("justfile", "Justfile", ".justfile")),
    TASK("task", List.of("Taskfile.yml", "taskfile.yml", "Taskfile.yaml", "taskfile.yaml"));

    private final String command;
    private final List<String> files;

    Runner(String command, List<String> files) {
      this.command = command;
      this.files = files;
    }
  }

  private final Runner runner;
  private final Predicate<String> onPath;

  TaskRunnerRule(Runner runner, Predicate<String> onPath) {
    this.runner = runner;
    this.onPath = onPath;
  }

  @Override
  public String lookedFor() {
    return runner.files.get(0) + " with a build or test recipe";
  }

  @Override
  public Optional<PipelinePlan> plan(Path workspace) throws IOException {
    for (String name : runner.files) {
      Optional<String> text = WorkspaceFiles.read(workspace, name);
      if (text.isPresent()) {
        Set<String> recipes = recipes(text.get());
        if (recipes.contains("build") || recipes.contains("test")) {
          return Optional.of(plan(name, recipes));
        }
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  private PipelinePlan plan(String file, Set<String> recipes) {
    String tool = runner.command;
    List<CommandStep> compile =
        recipes.contains("build") ? List.of(PlanDefaults.compile(tool + " build")) : List.of();
    List<GateSpec> gates =
        recipes.contains("test")
            ? List.of(PlanDefaults.gate("test", tool + " test", List.of()))
            : List.of();
    String declared =
        recipes.contains("build") && recipes.contains("test")
            ? "build and test recipes"
            : recipes.contains("build") ? "build recipe, no test recipe" : "test recipe only";
    String found =
        onPath.test(tool)
            ? "using " + tool
            : tool + " is not on this worker's PATH, its steps will fail until it is installed";
    return new PipelinePlan(
        "detected " + tool + ": " + file + " found, " + declared + ", " + found,
        compile,
        List.of(),
        gates,
        Map.of());
  }

  private Set<String> recipes(String text) {
    return switch (runner) {
      case JUST -> justRecipes(text);
      case TASK -> taskNames(text);
    };
  }

  private static Set<String> justRecipes(String text) {
    Set<String> names = new HashSet<>();
    Matcher matcher = JUST_RECIPE.matcher(text);
    while (matcher.find()) {
      names.add(matcher.group(1));
    }
    return names;
  }

  /** A malformed Taskfile declares nothing: detection goes on to the next build system. */
  private static Set<String> taskNames(String text) {
    Set<String> names = new HashSet<>();
    try {
      JsonNode root = YAML.readTree(text);
      JsonNode tasks = root == null ? YAML.missingNode() : root.path("tasks");
      for (Iterator<String> it = tasks.fieldNames(); it.hasNext(); ) {
        names.add(it.next());
      }
    } catch (JacksonException e) {
      return Set.of();
    }
    return names;
  }
}
