package dev.kiln.activities.pipeline;

import dev.kiln.activities.files.WorkspaceFiles;
import dev.kiln.workflows.plan.CommandStep;
import dev.kiln.workflows.plan.GateSpec;
import dev.kiln.workflows.plan.PipelinePlan;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Python ({@code pyproject.toml} or {@code setup.py}): a virtual environment per run inside the
 * workspace, the project installed into it, and pytest as the gate with JUnit XML for the run
 * view's counts.
 *
 * <p>The environment is made with {@code --system-site-packages}, so what the worker's Python
 * already has (pytest, setuptools) needs no download; what the project declares is installed into
 * the environment and shadows the worker's copies. {@code requirements.txt} is installed when
 * present; the project itself when it is a package ({@code setup.py}, or a {@code [project]} or
 * {@code [build-system]} table), with its {@code test} extra when {@code
 * [project.optional-dependencies]} declares one. A pyproject.toml that only configures tools is not
 * installed. pytest itself is installed only when neither the worker nor the project provides it.
 *
 * <p>The gate runs only when the project has tests pytest would find (a pytest configuration, a
 * {@code conftest.py}, a {@code tests/} or {@code test/} directory, or {@code test_*.py} / {@code
 * *_test.py} at the root): pytest fails a run that has none.
 */
final class PythonRule implements BuildRule {

  static final String VENV = ".kiln-venv";
  private static final String PYTHON = VENV + "/bin/python";
  private static final String REPORT = PlanDefaults.reportsDir("unit") + "/pytest.xml";

  private static final Pattern TABLE = Pattern.compile("^\\[\\s*([A-Za-z0-9_.\\-\"]+?)\\s*]");
  private static final Pattern KEY = Pattern.compile("^([A-Za-z0-9_\\-\"]+)\\s*=");

  @Override
  public String lookedFor() {
    return "pyproject.toml or setup.py";
  }

  @Override
  public Optional<PipelinePlan> plan(Path workspace) throws IOException {
    Optional<String> pyproject = WorkspaceFiles.read(workspace, "pyproject.toml");
    boolean setupPy = WorkspaceFiles.isFile(workspace, "setup.py");
    if (pyproject.isEmpty() && !setupPy) {
      return Optional.empty();
    }
    Pyproject toml = Pyproject.parse(pyproject.orElse(""));
    List<String> notes = new ArrayList<>();
    notes.add("virtual environment " + VENV + " (with the worker's site packages)");
    List<CommandStep> compile = new ArrayList<>();
    compile.add(PlanDefaults.compile("python3 -m venv --system-site-packages " + VENV));
    if (WorkspaceFiles.isFile(workspace, "requirements.txt")) {
      notes.add("installing requirements.txt");
      compile.add(PlanDefaults.compile(PYTHON + " -m pip install -r requirements.txt"));
    }
    if (setupPy || toml.isPackage()) {
      String target = toml.hasTestExtra() ? "'.[test]'" : ".";
      notes.add("installing " + target.replace("'", ""));
      compile.add(PlanDefaults.compile(PYTHON + " -m pip install " + target));
    } else {
      notes.add("not a package, nothing to install");
    }
    List<GateSpec> gates = new ArrayList<>();
    if (hasTests(workspace, toml)) {
      notes.add("tests with pytest, JUnit XML");
      compile.add(
          PlanDefaults.compile(
              PYTHON + " -c 'import pytest' 2>/dev/null || " + PYTHON + " -m pip install pytest"));
      gates.add(
          PlanDefaults.gate(
              "unit",
              PYTHON + " -m pytest --junitxml=" + REPORT,
              List.of(PlanDefaults.reportsDir("unit") + "/*")));
    } else {
      notes.add("no tests found");
    }
    String found =
        pyproject.isPresent() && setupPy
            ? "pyproject.toml and setup.py"
            : pyproject.isPresent() ? "pyproject.toml" : "setup.py";
    return Optional.of(
        new PipelinePlan(
            "detected Python: " + found + " found, " + String.join(", ", notes),
            compile,
            List.of(),
            gates,
            Map.of("PIP_DISABLE_PIP_VERSION_CHECK", "1")));
  }

  private static boolean hasTests(Path workspace, Pyproject toml) throws IOException {
    if (toml.configuresPytest()
        || WorkspaceFiles.isFile(workspace, "pytest.ini")
        || WorkspaceFiles.isFile(workspace, "conftest.py")
        || Files.isDirectory(workspace.resolve("tests"))
        || Files.isDirectory(workspace.resolve("test"))) {
      return true;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(workspace, "*.py")) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        if (name.startsWith("test_") || name.endsWith("_test.py")) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The few facts of a pyproject.toml this rule needs, from a line scan that knows table headers
   * and the keys directly under them; not a TOML parser (an inline {@code optional-dependencies =
   * {...}} table is not seen).
   */
  record Pyproject(Set<String> tables, Set<String> extras) {

    static Pyproject parse(String text) {
      Set<String> tables = new HashSet<>();
      Set<String> extras = new HashSet<>();
      String current = "";
      for (String raw : text.split("\\R")) {
        String line = raw.strip();
        Matcher table = TABLE.matcher(line);
        Matcher key = KEY.matcher(line);
        if (table.find()) {
          current = table.group(1).replace("\"", "");
          tables.add(current);
        } else if (current.equals("project.optional-dependencies") && key.find()) {
          extras.add(key.group(1).replace("\"", ""));
        }
      }
      return new Pyproject(tables, extras);
    }

    boolean isPackage() {
      return tables.contains("project") || tables.contains("build-system");
    }

    boolean hasTestExtra() {
      return extras.contains("test");
    }

    boolean configuresPytest() {
      return tables.contains("tool.pytest.ini_options") || tables.contains("tool.pytest");
    }
  }
}
