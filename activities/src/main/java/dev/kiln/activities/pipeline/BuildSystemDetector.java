package dev.kiln.activities.pipeline;

import dev.kiln.workflows.plan.PipelinePlan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Plans a build for a repository without kiln.yaml, from the files at its root. Build systems are
 * tried in the order docs/kiln-yaml.md gives: .buckconfig, pom.xml, build.gradle(.kts), Cargo.toml,
 * go.mod, package.json, pyproject.toml or setup.py, a justfile or Taskfile.yml with a build or test
 * recipe, configure + Makefile.in, CMakeLists.txt, Makefile. The first match wins, so a Maven
 * project with a package.json for its web assets is built with Maven, and a justfile that wraps
 * make is run with just.
 *
 * <p>The plan's {@code origin} says what was chosen and why (e.g. {@code detected Maven: pom.xml
 * found, using ./mvnw}); the fetch step logs it.
 */
public final class BuildSystemDetector {

  private final List<BuildRule> rules;

  public BuildSystemDetector() {
    this(CommandsOnPath.ofThisProcess());
  }

  /**
   * @param onPath whether a command is on the worker's {@code PATH}, for the rules whose plan
   *     depends on a tool the project does not bring (just, task)
   */
  BuildSystemDetector(Predicate<String> onPath) {
    rules =
        List.of(
            new Buck2Rule(),
            new MavenRule(),
            new GradleRule(),
            new CargoRule(),
            new GoRule(),
            new NpmRule(),
            new PythonRule(),
            new TaskRunnerRule(TaskRunnerRule.Runner.JUST, onPath),
            new TaskRunnerRule(TaskRunnerRule.Runner.TASK, onPath),
            new AutotoolsRule(),
            new CMakeRule(),
            new MakeRule());
  }

  /**
   * @throws NoPlanException none of the build systems matches; the message lists what was looked
   *     for
   * @throws IOException the workspace could not be read
   */
  public PipelinePlan detect(Path workspace) throws NoPlanException, IOException {
    for (BuildRule rule : rules) {
      Optional<PipelinePlan> plan = rule.plan(workspace);
      if (plan.isPresent()) {
        return plan.get();
      }
    }
    throw new NoPlanException(lookedFor());
  }

  /** Everything detection looks for, kiln.yaml first, in order. */
  public List<String> lookedFor() {
    List<String> names = new ArrayList<>();
    names.add(KilnYamlParser.FILE_NAME);
    rules.forEach(rule -> names.add(rule.lookedFor()));
    return names;
  }
}
