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
import java.util.regex.Pattern;

/**
 * npm: install ({@code npm ci} when a lockfile pins the tree, else {@code npm install}), then
 * {@code npm run build} and {@code npm test} only when package.json defines those scripts. The test
 * script {@code npm init} writes ("no test specified", exit 1) counts as no test script.
 *
 * <p>{@code CI=true} is set because test runners such as Jest and react-scripts otherwise start in
 * interactive watch mode and never exit.
 *
 * <p>The test gate asks the runner the test script names for results in a file ({@link
 * TestRunner}): node's test runner and Vitest for JUnit XML beside their usual output, Jest for its
 * JSON results, Mocha for its xunit report (which replaces its console output). A script that runs
 * more than one command gets no extra arguments, since npm would hand them to the last one only.
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
      TestRunner runner = TestRunner.of(scripts.path("test").asText());
      notes.add("tests with " + runner.description());
      gates.add(PlanDefaults.gate("unit", runner.command(), runner.reports()));
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

  /** What the test script runs, and how {@code npm test} asks it for a results file. */
  enum TestRunner {
    NODE("node's test runner, JUnit XML"),
    JEST("Jest, JSON results"),
    VITEST("Vitest, JUnit XML"),
    MOCHA("Mocha, xunit report"),
    OTHER("an unknown runner, no results file");

    private static final String DIR = PlanDefaults.reportsDir("unit");
    private static final Pattern NODE_TEST =
        Pattern.compile("(^|[\\s;&|(])node\\s+(?:\\S+\\s+)*--test\\b");
    private static final Pattern SHELL_OPERATORS = Pattern.compile("&&|\\|\\||[;|&<>`]|\\$\\(");

    private final String description;

    TestRunner(String description) {
      this.description = description;
    }

    static TestRunner of(String script) {
      String command = script.strip();
      if (NODE_TEST.matcher(command).find()) {
        return NODE;
      }
      if (SHELL_OPERATORS.matcher(command).find()) {
        return OTHER;
      }
      String first = command.replaceFirst("^npx\\s+", "").split("\\s+")[0];
      return switch (first) {
        case "jest" -> JEST;
        case "vitest" -> VITEST;
        case "mocha" -> MOCHA;
        default -> OTHER;
      };
    }

    String description() {
      return description;
    }

    /** The gate's command; arguments after {@code --} go to the test script's command. */
    String command() {
      return switch (this) {
        // Every node process the script starts gets these; only a test runner acts on them. A
        // node without the junit reporter would fail every run on the option: it gets none.
        case NODE ->
            "mkdir -p "
                + DIR
                + " && if [ \"$(node -p 'typeof require(\"node:test/reporters\").junit'"
                + " 2>/dev/null)\" = function ]; then NODE_OPTIONS=\"$NODE_OPTIONS"
                + " --test-reporter=spec --test-reporter-destination=stdout --test-reporter=junit"
                + " --test-reporter-destination=$PWD/"
                + DIR
                + "/node-test.xml\" npm test; else npm test; fi";
        // Jest and Vitest do not make the directory they write into.
        case JEST ->
            "mkdir -p " + DIR + " && npm test -- --json --outputFile=" + DIR + "/jest.json";
        case VITEST ->
            "mkdir -p "
                + DIR
                + " && npm test -- --reporter=default --reporter=junit --outputFile.junit="
                + DIR
                + "/vitest.xml";
        case MOCHA ->
            "mkdir -p "
                + DIR
                + " && npm test -- --reporter xunit --reporter-option output="
                + DIR
                + "/mocha.xml";
        case OTHER -> "npm test";
      };
    }

    List<String> reports() {
      return this == OTHER ? List.of() : List.of(DIR + "/*");
    }
  }

  private static boolean isRealTestScript(JsonNode test) {
    return test.isTextual() && !test.asText().contains("no test specified");
  }
}
