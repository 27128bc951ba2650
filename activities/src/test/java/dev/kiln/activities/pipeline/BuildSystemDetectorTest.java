package dev.kiln.activities.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.workflows.FailureTypes;
import dev.kiln.workflows.plan.CommandStep;
import dev.kiln.workflows.plan.GateSpec;
import dev.kiln.workflows.plan.PipelinePlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuildSystemDetectorTest {

  private static final String MVN = "-B --no-transfer-progress";
  private static final List<String> SUREFIRE =
      List.of("**/target/surefire-reports/TEST-*.xml", "**/target/failsafe-reports/TEST-*.xml");

  @TempDir Path ws;

  private final BuildSystemDetector detector = new BuildSystemDetector();

  @Test
  void buck2() throws Exception {
    write(".buckconfig", "[cells]\nroot = .\n");

    assertThat(detector.detect(ws))
        .isEqualTo(
            new PipelinePlan(
                "detected Buck2: .buckconfig found",
                List.of(new CommandStep("buck2 build //...", 3600)),
                List.of(),
                List.of(new GateSpec("unit", "buck2 test //...", List.of(), 1800, true)),
                Map.of()));
  }

  @Test
  void mavenWithAnExecutableWrapper() throws Exception {
    write("pom.xml", "<project><artifactId>app</artifactId></project>");
    executable("mvnw");

    assertThat(detector.detect(ws))
        .isEqualTo(
            new PipelinePlan(
                "detected Maven: pom.xml found, using ./mvnw",
                List.of(new CommandStep("./mvnw " + MVN + " -DskipTests package", 3600)),
                List.of("target/*.jar"),
                List.of(new GateSpec("unit", "./mvnw " + MVN + " verify", SUREFIRE, 1800, true)),
                Map.of()));
  }

  @Test
  void mavenFallsBackToMvnWhenTheWrapperIsMissingOrNotExecutable() throws Exception {
    write("pom.xml", "<project/>");
    assertThat(detector.detect(ws).origin())
        .isEqualTo("detected Maven: pom.xml found, no mvnw, using mvn");

    write("mvnw", "#!/bin/sh\n");
    Files.setPosixFilePermissions(ws.resolve("mvnw"), PosixFilePermissions.fromString("rw-r--r--"));
    PipelinePlan plan = detector.detect(ws);

    assertThat(plan.origin())
        .isEqualTo("detected Maven: pom.xml found, mvnw is not executable, using mvn");
    assertThat(plan.compile())
        .extracting(CommandStep::run)
        .containsExactly("mvn " + MVN + " -DskipTests package");
  }

  @Test
  void multiModuleMavenStagesEveryModulesJars() throws Exception {
    write("pom.xml", "<project><modules><module>core</module></modules></project>");

    assertThat(detector.detect(ws).artifacts()).containsExactly("**/target/*.jar");
  }

  @Test
  void gradleKotlinDslWithWrapper() throws Exception {
    write("build.gradle.kts", "plugins { java }\n");
    executable("gradlew");

    assertThat(detector.detect(ws))
        .isEqualTo(
            new PipelinePlan(
                "detected Gradle: build.gradle.kts found, using ./gradlew",
                List.of(new CommandStep("./gradlew --no-daemon --console=plain assemble", 3600)),
                List.of("build/libs/*.jar"),
                List.of(
                    new GateSpec(
                        "unit",
                        "./gradlew --no-daemon --console=plain check",
                        List.of("**/build/test-results/**/*.xml"),
                        1800,
                        true)),
                Map.of()));
  }

  @Test
  void multiProjectGradleWithoutWrapper() throws Exception {
    write("build.gradle", "");
    write("settings.gradle", "include 'core'\n");

    PipelinePlan plan = detector.detect(ws);

    assertThat(plan.origin())
        .isEqualTo("detected Gradle: build.gradle found, no gradlew, using gradle");
    assertThat(plan.compile().get(0).run())
        .isEqualTo("gradle --no-daemon --console=plain assemble");
    assertThat(plan.artifacts()).containsExactly("**/build/libs/*.jar");
  }

  @Test
  void cargoStagesEveryBinaryAndBuildsLockedWhenCargoLockExists() throws Exception {
    write(
        "Cargo.toml",
        """
        [package]
        name = "kiln-cli"
        version = "0.3.1"

        [[bin]]
        name = "kiln-admin"
        path = "tools/admin.rs"
        """);
    write("Cargo.lock", "");
    write("src/main.rs", "fn main() {}\n");
    write("src/bin/migrate.rs", "fn main() {}\n");
    write("src/bin/report/main.rs", "fn main() {}\n");
    write("src/bin/README.md", "not a binary\n");

    PipelinePlan plan = detector.detect(ws);

    assertThat(plan.compile())
        .containsExactly(new CommandStep("cargo build --release --locked", 3600));
    assertThat(plan.gates())
        .containsExactly(
            new GateSpec(
                "unit", "cargo test --release --no-fail-fast --locked", List.of(), 1800, true));
    assertThat(plan.artifacts())
        .containsExactlyInAnyOrder(
            "target/release/kiln-cli",
            "target/release/kiln-admin",
            "target/release/migrate",
            "target/release/report");
    assertThat(plan.origin())
        .startsWith("detected Cargo: Cargo.toml found, staging kiln-cli, kiln-admin");
  }

  @Test
  void aCargoLibraryHasNoArtifacts() throws Exception {
    write("Cargo.toml", "[package]\nname = \"parser\"\nversion = \"1.0.0\"\n");
    write("src/lib.rs", "");

    PipelinePlan plan = detector.detect(ws);

    assertThat(plan.origin()).isEqualTo("detected Cargo: Cargo.toml found, no binaries to stage");
    assertThat(plan.artifacts()).isEmpty();
    assertThat(plan.compile()).containsExactly(new CommandStep("cargo build --release", 3600));
  }

  @Test
  void goBuildsTestsAndVetsOptionally() throws Exception {
    write("go.mod", "module example.com/app\n\ngo 1.22\n");

    assertThat(detector.detect(ws))
        .isEqualTo(
            new PipelinePlan(
                "detected Go: go.mod found",
                List.of(new CommandStep("go build ./...", 3600)),
                List.of(),
                List.of(
                    new GateSpec("unit", "go test -json ./...", List.of(), 1800, true),
                    new GateSpec("vet", "go vet ./...", List.of(), 1800, false)),
                Map.of()));
  }

  @Test
  void npmWithLockfileBuildAndTestScripts() throws Exception {
    write("package.json", "{\"scripts\": {\"build\": \"tsc\", \"test\": \"jest\"}}");
    write("package-lock.json", "{}");

    assertThat(detector.detect(ws))
        .isEqualTo(
            new PipelinePlan(
                "detected npm: package.json found, using npm ci, tests with Jest, JSON results",
                List.of(new CommandStep("npm ci", 3600), new CommandStep("npm run build", 3600)),
                List.of(),
                List.of(
                    new GateSpec(
                        "unit",
                        "mkdir -p .kiln-reports/unit"
                            + " && npm test -- --json --outputFile=.kiln-reports/unit/jest.json",
                        List.of(".kiln-reports/unit/*"),
                        1800,
                        true)),
                Map.of("CI", "true")));
  }

  @Test
  void npmAsksEachKnownTestRunnerForAResultsFileAndLeavesCompoundScriptsAlone() throws Exception {
    Map<String, String> gates = new java.util.LinkedHashMap<>();
    for (String script :
        List.of(
            "node --test",
            "NODE_ENV=test node --experimental-vm-modules --test test/",
            "vitest run",
            "npx mocha 'test/**/*.js'",
            "jest && eslint .",
            "tap test/*.js")) {
      write("package.json", "{\"scripts\": {\"test\": \"" + script + "\"}}");
      gates.put(script, detector.detect(ws).gates().get(0).run());
    }

    String nodeTest =
        "mkdir -p .kiln-reports/unit && if [ \"$(node -p"
            + " 'typeof require(\"node:test/reporters\").junit' 2>/dev/null)\" = function ];"
            + " then NODE_OPTIONS=\"$NODE_OPTIONS --test-reporter=spec"
            + " --test-reporter-destination=stdout --test-reporter=junit"
            + " --test-reporter-destination=$PWD/.kiln-reports/unit/node-test.xml\" npm test;"
            + " else npm test; fi";
    assertThat(gates)
        .containsExactly(
            Map.entry("node --test", nodeTest),
            Map.entry("NODE_ENV=test node --experimental-vm-modules --test test/", nodeTest),
            Map.entry(
                "vitest run",
                "mkdir -p .kiln-reports/unit && npm test -- --reporter=default --reporter=junit"
                    + " --outputFile.junit=.kiln-reports/unit/vitest.xml"),
            Map.entry(
                "npx mocha 'test/**/*.js'",
                "mkdir -p .kiln-reports/unit && npm test -- --reporter xunit"
                    + " --reporter-option output=.kiln-reports/unit/mocha.xml"),
            Map.entry("jest && eslint .", "npm test"),
            Map.entry("tap test/*.js", "npm test"));
  }

  @Test
  void npmWithoutLockfileOrScriptsOnlyInstalls() throws Exception {
    write(
        "package.json",
        "{\"name\": \"x\", \"scripts\": {\"test\": \"echo \\\"Error: no test specified\\\" && exit 1\"}}");

    PipelinePlan plan = detector.detect(ws);

    assertThat(plan.origin())
        .isEqualTo(
            "detected npm: package.json found, no lockfile, using npm install, no build script,"
                + " no test script");
    assertThat(plan.compile()).containsExactly(new CommandStep("npm install", 3600));
    assertThat(plan.gates()).isEmpty();
  }

  @Test
  void aMalformedPackageJsonStillPlansAnInstall() throws Exception {
    write("package.json", "{ not json");
    write("npm-shrinkwrap.json", "{}");

    assertThat(detector.detect(ws).compile()).containsExactly(new CommandStep("npm ci", 3600));
  }

  @Test
  void autotoolsPrefersMakeCheck() throws Exception {
    executable("configure");
    write("Makefile.in", "all: all-am\n\ncheck: check-am\n\ntest: check\n");

    assertThat(detector.detect(ws))
        .isEqualTo(
            new PipelinePlan(
                "detected Autotools: configure and Makefile.in found, gate make check",
                List.of(new CommandStep("./configure && make -j\"$KILN_CPUS\"", 3600)),
                List.of(),
                List.of(new GateSpec("check", "make check", List.of(), 1800, true)),
                Map.of()));
  }

  @Test
  void autotoolsFallsBackToMakeTestThenToNoGate() throws Exception {
    write("configure", "#!/bin/sh\n");
    write("Makefile.in", "all:\n\tcc -o app app.c\ntest: all\n\t./app --self-test\n");

    PipelinePlan withTest = detector.detect(ws);
    write("Makefile.in", "all:\n\tcc -o app app.c\n# check: is only a comment\n");
    PipelinePlan withNone = detector.detect(ws);

    assertThat(withTest.compile().get(0).run())
        .isEqualTo("sh ./configure && make -j\"$KILN_CPUS\"");
    assertThat(withTest.gates())
        .containsExactly(new GateSpec("test", "make test", List.of(), 1800, true));
    assertThat(withNone.gates()).isEmpty();
    assertThat(withNone.origin())
        .isEqualTo("detected Autotools: configure and Makefile.in found, no check or test target");
  }

  @Test
  void cmakeGatesOnCtestOnlyWhenTestingIsEnabled() throws Exception {
    write("CMakeLists.txt", "project(z C)\nenable_testing()\nadd_test(NAME t COMMAND t)\n");
    PipelinePlan testing = detector.detect(ws);
    write("CMakeLists.txt", "project(z C)\nadd_library(z z.c)\n");
    PipelinePlan notTesting = detector.detect(ws);

    assertThat(testing)
        .isEqualTo(
            new PipelinePlan(
                "detected CMake: CMakeLists.txt found, testing enabled, gate ctest",
                List.of(
                    new CommandStep(
                        "cmake -S . -B build -DCMAKE_BUILD_TYPE=Release"
                            + " && cmake --build build -j\"$KILN_CPUS\"",
                        3600)),
                List.of(),
                List.of(
                    new GateSpec(
                        "unit",
                        "if ctest --help | grep -- --output-junit >/dev/null; then"
                            + " mkdir -p .kiln-reports/unit && ctest --test-dir build"
                            + " --output-on-failure --output-junit"
                            + " \"$PWD/.kiln-reports/unit/ctest.xml\"; else"
                            + " ctest --test-dir build --output-on-failure; fi",
                        List.of(".kiln-reports/unit/*.xml"),
                        1800,
                        true)),
                Map.of()));
    assertThat(notTesting.gates()).isEmpty();
    assertThat(notTesting.origin())
        .isEqualTo("detected CMake: CMakeLists.txt found, testing not enabled, no gate");
    assertThat(CMakeRule.enablesTesting("include(CTest)")).isTrue();
    assertThat(CMakeRule.enablesTesting("INCLUDE ( CTest )")).isTrue();
  }

  @Test
  void plainMakefileGatesOnTestThenCheck() throws Exception {
    write(
        "Makefile",
        "CFLAGS := -O2\nall: app\n\napp: app.o\n\ttest -f app.o\n.PHONY: check\ncheck:\n\t./run-checks\n");
    PipelinePlan check = detector.detect(ws);
    write("Makefile", "all test check:\n\ttrue\n");
    PipelinePlan test = detector.detect(ws);

    assertThat(check)
        .isEqualTo(
            new PipelinePlan(
                "detected Make: Makefile found, gate make check",
                List.of(new CommandStep("make -j\"$KILN_CPUS\"", 3600)),
                List.of(),
                List.of(new GateSpec("check", "make check", List.of(), 1800, true)),
                Map.of()));
    assertThat(test.gates())
        .containsExactly(new GateSpec("test", "make test", List.of(), 1800, true));
  }

  @Test
  void aMakefileWithoutTestTargetsHasNoGate() throws Exception {
    write("GNUmakefile", "all:\n\tcc app.c\n%.o: %.c\n\tcc -c $<\n");

    PipelinePlan plan = detector.detect(ws);

    assertThat(plan.origin())
        .isEqualTo("detected Make: GNUmakefile found, no test or check target");
    assertThat(plan.gates()).isEmpty();
  }

  @Test
  void theFirstBuildSystemInDesignOrderWins() throws Exception {
    write("Makefile", "test:\n");
    write("CMakeLists.txt", "");
    write("package.json", "{}");
    write("go.mod", "module x\n");
    write("pom.xml", "<project/>");
    assertThat(detector.detect(ws).origin()).startsWith("detected Maven");

    write(".buckconfig", "");
    assertThat(detector.detect(ws).origin()).startsWith("detected Buck2");
  }

  @Test
  void configureWithoutMakefileInIsNotAutotools() throws Exception {
    executable("configure");
    write("Makefile", "all:\n");

    assertThat(detector.detect(ws).origin()).startsWith("detected Make: Makefile found");
  }

  @Test
  void anUnknownProjectListsWhatWasLookedFor() throws Exception {
    write("README.md", "hello\n");
    Files.createDirectories(ws.resolve("pom.xml"));

    assertThatThrownBy(() -> detector.detect(ws))
        .isInstanceOfSatisfying(
            NoPlanException.class,
            e -> {
              assertThat(e)
                  .hasMessage(
                      "no kiln.yaml and no known build system: looked for kiln.yaml, .buckconfig,"
                          + " pom.xml, build.gradle(.kts), Cargo.toml, go.mod, package.json,"
                          + " pyproject.toml or setup.py, justfile with a build or test recipe,"
                          + " Taskfile.yml with a build or test recipe, configure + Makefile.in,"
                          + " CMakeLists.txt, Makefile; add a kiln.yaml");
              assertThat(e.lookedFor()).hasSize(13).startsWith("kiln.yaml", ".buckconfig");
              assertThat(e.failureType()).isEqualTo(FailureTypes.NO_PLAN);
            });
  }

  private static final String PY = ".kiln-venv/bin/python";
  private static final String VENV = "python3 -m venv --system-site-packages .kiln-venv";
  private static final String ENSURE_PYTEST =
      PY + " -c 'import pytest' 2>/dev/null || " + PY + " -m pip install pytest";
  private static final GateSpec PYTEST =
      new GateSpec(
          "unit",
          PY + " -m pytest --junitxml=.kiln-reports/unit/pytest.xml",
          List.of(".kiln-reports/unit/*"),
          1800,
          true);

  @Test
  void aPythonPackageWithATestExtraIsInstalledWithItIntoAVenvAndGatedByPytest() throws Exception {
    write(
        "pyproject.toml",
        """
        [build-system]
        requires = ["setuptools>=61"]

        [project]
        name = "calc"
        dependencies = ["requests"]

        [project.optional-dependencies]
        docs = ["sphinx"]
        test = [
          "pytest",
        ]
        """);
    write("requirements.txt", "requests\n");
    write("tests/test_calc.py", "");

    assertThat(detector.detect(ws))
        .isEqualTo(
            new PipelinePlan(
                "detected Python: pyproject.toml found, virtual environment .kiln-venv (with the"
                    + " worker's site packages), installing requirements.txt, installing .[test],"
                    + " tests with pytest, JUnit XML",
                List.of(
                    new CommandStep(VENV, 3600),
                    new CommandStep(PY + " -m pip install -r requirements.txt", 3600),
                    new CommandStep(PY + " -m pip install '.[test]'", 3600),
                    new CommandStep(ENSURE_PYTEST, 3600)),
                List.of(),
                List.of(PYTEST),
                Map.of("PIP_DISABLE_PIP_VERSION_CHECK", "1")));
  }

  @Test
  void aSetupPyWithoutTestExtraIsInstalledPlainAndTestFilesAtTheRootMakeTheGate() throws Exception {
    write("setup.py", "from setuptools import setup\nsetup(name='calc')\n");
    write("calc_test.py", "");

    PipelinePlan plan = detector.detect(ws);

    assertThat(plan.origin())
        .isEqualTo(
            "detected Python: setup.py found, virtual environment .kiln-venv (with the worker's"
                + " site packages), installing ., tests with pytest, JUnit XML");
    assertThat(plan.compile())
        .extracting(CommandStep::run)
        .containsExactly(VENV, PY + " -m pip install .", ENSURE_PYTEST);
    assertThat(plan.gates()).containsExactly(PYTEST);
  }

  @Test
  void aPyprojectThatOnlyConfiguresPytestInstallsNothingButIsGated() throws Exception {
    write("pyproject.toml", "[tool.pytest.ini_options]\naddopts = \"-q\"\n");
    write("calc.py", "");

    PipelinePlan plan = detector.detect(ws);

    assertThat(plan.origin())
        .isEqualTo(
            "detected Python: pyproject.toml found, virtual environment .kiln-venv (with the"
                + " worker's site packages), not a package, nothing to install, tests with pytest,"
                + " JUnit XML");
    assertThat(plan.compile()).extracting(CommandStep::run).containsExactly(VENV, ENSURE_PYTEST);
    assertThat(plan.gates()).containsExactly(PYTEST);
  }

  @Test
  void aPythonProjectWithoutTestsHasNoGate() throws Exception {
    write("pyproject.toml", "[project]\nname = \"calc\"\n");
    write("calc.py", "");
    write("contest_notes.py", "");

    PipelinePlan plan = detector.detect(ws);

    assertThat(plan.origin()).endsWith("installing ., no tests found");
    assertThat(plan.compile())
        .extracting(CommandStep::run)
        .containsExactly(VENV, PY + " -m pip install .");
    assertThat(plan.gates()).isEmpty();
  }

  @Test
  void pythonComesAfterNpmAndBeforeMake() throws Exception {
    write("Makefile", "test:\n");
    write("setup.py", "");
    assertThat(detector.detect(ws).origin()).startsWith("detected Python: setup.py found");

    write("package.json", "{}");
    assertThat(detector.detect(ws).origin()).startsWith("detected npm");
  }

  @Test
  void aJustfileWithBuildAndTestRecipesRunsThemWithJust() throws Exception {
    write(
        "justfile",
        """
        set shell := ["bash", "-c"]
        alias b := build
        version := "1:2"

        build target="all":
            make {{target}}

        @test: build
            make test
        """);
    write("Makefile", "test:\n");

    assertThat(new BuildSystemDetector(command -> command.equals("just")).detect(ws))
        .isEqualTo(
            new PipelinePlan(
                "detected just: justfile found, build and test recipes, using just",
                List.of(new CommandStep("just build", 3600)),
                List.of(),
                List.of(new GateSpec("test", "just test", List.of(), 1800, true)),
                Map.of()));
  }

  @Test
  void aMissingRunnerIsNamedInThePlansOrigin() throws Exception {
    write("Justfile", "test:\n    cargo test\n");

    PipelinePlan plan = new BuildSystemDetector(command -> false).detect(ws);

    assertThat(plan.origin())
        .isEqualTo(
            "detected just: Justfile found, test recipe only, just is not on this worker's PATH,"
                + " its steps will fail until it is installed");
    assertThat(plan.compile()).isEmpty();
    assertThat(plan.gates()).extracting(GateSpec::run).containsExactly("just test");
  }

  @Test
  void aJustfileWithoutBuildOrTestRecipesLeavesDetectionToTheNextRule() throws Exception {
    write("justfile", "fmt:\n    cargo fmt\nbuild_docs := \"x\"\n");
    write("Makefile", "all:\n");

    assertThat(new BuildSystemDetector(command -> true).detect(ws).origin())
        .startsWith("detected Make");
  }

  @Test
  void aTaskfileWithABuildTaskRunsItWithTask() throws Exception {
    write(
        "Taskfile.yml",
        """
        version: '3'
        tasks:
          build:
            cmds:
              - go build ./...
          lint:
            cmds:
              - golangci-lint run
        """);

    assertThat(new BuildSystemDetector(command -> command.equals("task")).detect(ws))
        .isEqualTo(
            new PipelinePlan(
                "detected task: Taskfile.yml found, build recipe, no test recipe, using task",
                List.of(new CommandStep("task build", 3600)),
                List.of(),
                List.of(),
                Map.of()));
  }

  @Test
  void aMalformedTaskfileLeavesDetectionToTheNextRule() throws Exception {
    write("Taskfile.yml", "tasks: [build\n");
    write("Makefile", "all:\n");

    assertThat(new BuildSystemDetector(command -> true).detect(ws).origin())
        .startsWith("detected Make");
  }

  @Test
  void onlyExecutablesOnThePathAreFound() throws Exception {
    executable("bin/just");
    write("bin/task", "not executable");

    CommandsOnPath onPath = new CommandsOnPath("/nonexistent:" + ws.resolve("bin"));

    assertThat(onPath.test("just")).isTrue();
    assertThat(onPath.test("task")).isFalse();
    assertThat(onPath.test("make-believe")).isFalse();
  }

  private void write(String name, String content) throws IOException {
    Path file = ws.resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
  }

  private void executable(String name) throws IOException {
    write(name, "#!/bin/sh\nexit 0\n");
    Files.setPosixFilePermissions(ws.resolve(name), PosixFilePermissions.fromString("rwxr-xr-x"));
  }
}
