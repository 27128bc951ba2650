package dev.kiln.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A failed test run's summary names the failing test and quotes its assertion with file and line,
 * and the run view counts the tests, for every test runner Kiln detects: one-file projects whose
 * {@code add(2, 3)} returns -1 while the test expects 5, written out here, built through the real
 * dev stack in its sandbox (detected plans, no kiln.yaml, except for pytest, whose gate names its
 * JUnit report in kiln.yaml; detected Python is {@code PythonDetectionEndToEndIT}'s). All runs
 * start at once and share the stack's two slots.
 *
 * <p>While working on one ecosystem, {@code -Dkiln.summaries.projects=automake,just} starts only
 * those projects' runs (with {@code -Dit.test=TestSummariesEndToEndIT#thatTest}): the others take
 * minutes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TestSummariesEndToEndIT {

  /** Jest and Maven download their runners into the repository's empty caches first. */
  static final Duration BUILD_TIMEOUT = Duration.ofMinutes(10);

  @TempDir static Path temp;
  static DevStackProcess stack;
  static KilnHttp api;
  static GitFixtures fixtures;

  /** Every fixture's run, started before the first test looks at any. */
  static final Map<String, Long> RUNS = new LinkedHashMap<>();

  @BeforeAll
  static void startStackAndEveryBuild() throws Exception {
    stack = DevStackProcess.start(temp.resolve("kiln-home"), Map.of("KILN_WORKER_SLOTS", "2"));
    api = new KilnHttp(stack.baseUrl());
    fixtures = new GitFixtures(temp.resolve("repos"));
    String only = System.getProperty("kiln.summaries.projects", "");
    for (Map.Entry<String, Map<String, String>> project : Projects.all().entrySet()) {
      if (!only.isBlank() && !List.of(only.split(",")).contains(project.getKey())) {
        continue;
      }
      String repo = fixtures.project(project.getKey(), project.getValue());
      KilnHttp.Answer accepted = api.rebuild(Map.of("repo", repo, "supersede", false));
      assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
      RUNS.put(project.getKey(), accepted.json().path("run_id").asLong());
    }
  }

  @AfterAll
  static void stopStack() throws Exception {
    if (stack != null) {
      stack.stopLeavingNothingBehind();
    }
  }

  @Test
  void goNamesTheFailingTestAndQuotesItsErrorfLine() throws Exception {
    JsonNode run = failedRun("go-assertion");

    assertThat(run.path("failure_summary").asText())
        .isEqualTo(
            "gate unit failed: 1 of 2 tests failed: TestAdd: calc_test.go:7: Add(2, 3) = -1,"
                + " want 5");
    assertCounts(run, 2, 1, 0);
    assertFirstFailure(run, "TestAdd", "Add(2, 3) = -1, want 5", "calc_test.go", 7);
  }

  @Test
  void aGoPanicNamesItsTestAndTheTestsOwnFrame() throws Exception {
    JsonNode run = failedRun("go-panic");

    assertThat(run.path("failure_summary").asText())
        .isEqualTo(
            "gate unit failed: 1 of 2 tests failed: TestDereferences: calc_test.go:12: panic:"
                + " runtime error: invalid memory address or nil pointer dereference");
    assertCounts(run, 2, 1, 0);
  }

  @Test
  void aPassingGoSuiteCountsEveryTestWithNoneFailed() throws Exception {
    JsonNode run = passedRun("go-passing");

    assertCounts(run, 3, 0, 1);
    assertThat(gate(run, "unit").path("summary").asText())
        .isEqualTo("3 tests, 0 failed, 1 skipped");
    assertThat(gate(run, "unit").path("failures")).isEmpty();
  }

  @Test
  void cargoQuotesThePanickedAtLineWithTheAssertionsValues() throws Exception {
    JsonNode run = failedRun("cargo");

    assertThat(run.path("failure_summary").asText())
        .isEqualTo(
            "gate unit failed: 1 of 3 tests failed: tests::adds: src/lib.rs:11: assertion `left =="
                + " right` failed (left: -1, right: 5)");
    assertCounts(run, 3, 1, 1);
  }

  @Test
  void nodesTestRunnerQuotesTheAssertionAtTheTestsLine() throws Exception {
    JsonNode run = failedRun("node-test");

    assertThat(run.path("failure_summary").asText())
        .isEqualTo(
            "gate unit failed: 1 of 2 tests failed: adds: calc.test.js:5: Expected values to be"
                + " strictly equal: -1 !== 5");
    assertCounts(run, 2, 1, 0);
    assertFirstFailure(
        run, "adds", "Expected values to be strictly equal: -1 !== 5", "calc.test.js", 5);
  }

  @Test
  void aPassingNodeSuiteCountsEveryTestWithNoneFailed() throws Exception {
    JsonNode run = passedRun("node-test-passing");

    assertCounts(run, 2, 0, 0);
  }

  @Test
  void jestThroughNpmTestQuotesTheExpectationWithItsValues() throws Exception {
    JsonNode run = failedRun("jest");

    assertThat(run.path("failure_summary").asText())
        .isEqualTo(
            "gate unit failed: 1 of 2 tests failed: calc > adds: calc.test.js:5:"
                + " expect(received).toBe(expected) // Object.is equality (Expected: 5,"
                + " Received: -1)");
    assertCounts(run, 2, 1, 0);
  }

  @Test
  void ctestQuotesTheTestsOwnFailureLine() throws Exception {
    JsonNode run = failedRun("ctest");

    assertThat(run.path("failure_summary").asText())
        .isEqualTo(
            "gate unit failed: 1 of 2 tests failed: adds: test_calc.c:8: add(2, 3) = -1,"
                + " want 5");
    assertCounts(run, 2, 1, 0);
  }

  /** Autotools: the gate is {@code make check}, whose harness leaves a .trs and a .log per test. */
  @Test
  void automakesHarnessNamesTheFailingTestAndQuotesItsLogsFileLine() throws Exception {
    JsonNode run = failedRun("automake", "check");

    assertThat(run.path("failure_summary").asText())
        .isEqualTo(
            "gate check failed: 1 of 3 tests failed: test_add: test_add.c:7: add(2, 3) = -1,"
                + " want 5");
    assertCounts(run, "check", 3, 1, 1);
    assertFirstFailure(run, "check", "test_add", "add(2, 3) = -1, want 5", "test_add.c", 7);
  }

  /**
   * just's {@code test} recipe runs whatever the project uses, here a Rust test binary built with
   * rustc (no Cargo.toml, which Cargo's rule would take first): the gate reads libtest's output.
   */
  @Test
  void aJustRecipesTestRunnerIsReadFromItsOutput() throws Exception {
    JsonNode run = failedRun("just", "test");

    assertThat(run.path("failure_summary").asText())
        .isEqualTo(
            "gate test failed: 1 of 3 tests failed: tests::adds: calc.rs:11: assertion `left =="
                + " right` failed (left: -1, right: 5)");
    assertCounts(run, "test", 3, 1, 1);
  }

  /**
   * A recipe that runs pytest without asking for a JUnit report (no pyproject.toml, which Python's
   * rule would take first): pytest's console output names the test and its assertion.
   */
  @Test
  void aJustRecipeRunningPytestIsReadFromItsConsole() throws Exception {
    JsonNode run = failedRun("just-pytest", "test");

    assertThat(run.path("failure_summary").asText())
        .isEqualTo(
            "gate test failed: 1 of 3 tests failed: test_calc.test_adds: test_calc.py:5: assert"
                + " -1 == 5 (where -1 = add(2, 3))");
    assertCounts(run, "test", 3, 1, 1);
    assertFirstFailure(
        run,
        "test",
        "test_calc.test_adds",
        "assert -1 == 5 (where -1 = add(2, 3))",
        "test_calc.py",
        5);
  }

  /** Task's {@code test} task runs node's test runner (no package.json): its TAP output is read. */
  @Test
  void aTaskfilesTestRunnerIsReadFromItsOutput() throws Exception {
    JsonNode run = failedRun("task", "test");

    assertThat(run.path("failure_summary").asText())
        .isEqualTo(
            "gate test failed: 1 of 2 tests failed: adds: calc.test.js:5: Expected values to be"
                + " strictly equal: -1 !== 5");
    assertCounts(run, "test", 2, 1, 0);
  }

  @Test
  void pytestThroughAKilnYamlReportQuotesTheAssertion() throws Exception {
    JsonNode run = failedRun("pytest");

    assertThat(run.path("failure_summary").asText())
        .isEqualTo(
            "gate unit failed: 1 of 3 tests failed: test_calc.test_adds: test_calc.py:5: assert"
                + " -1 == 5 (where -1 = add(2, 3))");
    assertCounts(run, 3, 1, 1);
  }

  @Test
  void mavenQuotesTheAssertionAtTheTestClassesLine() throws Exception {
    JsonNode run = failedRun("maven");

    assertThat(run.path("failure_summary").asText())
        .isEqualTo(
            "gate unit failed: 1 of 2 tests failed: CalcTest.adds:"
                + " src/test/java/calc/CalcTest.java:10: expected: <5>"
                + " but was: <-1>");
    assertCounts(run, 2, 1, 0);
  }

  /** Debian's Gradle 4.4.1 (JUnit 4), the only Gradle distribution a package registry here has. */
  @Test
  void gradleQuotesTheAssertionAtTheTestClassesLine() throws Exception {
    JsonNode run = failedRun("gradle");

    assertThat(run.path("failure_summary").asText())
        .isEqualTo(
            "gate unit failed: 1 of 2 tests failed: CalcTest.adds:"
                + " src/test/java/calc/CalcTest.java:10:"
                + " expected:<5> but was:<-1>");
    assertCounts(run, 2, 1, 0);
  }

  @Test
  void everyFailedTestIsListedForTheRunAndItsPageShowsTheFailure() throws Exception {
    long runId = RUNS.get("go-assertion");
    failedRun("go-assertion");

    JsonNode failed = api.get("/runs/" + runId + "/tests?status=failed").json();
    JsonNode all = api.get("/runs/" + runId + "/tests").json();
    String page = pageOf(runId);

    assertThat(failed.path("tests")).hasSize(1);
    JsonNode test = failed.path("tests").get(0);
    assertThat(test.path("gate").asText()).isEqualTo("unit");
    assertThat(test.path("suite").asText()).isEqualTo("example.com/calc");
    assertThat(test.path("name").asText()).isEqualTo("TestAdd");
    assertThat(test.path("status").asText()).isEqualTo("failed");
    assertThat(test.path("duration_ms").isNumber()).isTrue();
    assertThat(all.path("tests"))
        .extracting(t -> t.path("name").asText() + " " + t.path("status").asText())
        .containsExactly("TestAdd failed", "TestSubtracts passed");
    // the page's script lists each gate's failures from the run view it carries (RunPageBrowserIT
    // drives the rendering in a browser)
    assertThat(page)
        .contains(
            "{\"name\":\"TestAdd\",\"suite\":\"example.com/calc\","
                + "\"message\":\"Add(2, 3) = -1, want 5\",\"file\":\"calc_test.go\",\"line\":7}");
  }

  private static JsonNode failedRun(String project) throws Exception {
    return failedRun(project, "unit");
  }

  private static JsonNode failedRun(String project, String gate) throws Exception {
    JsonNode run = api.awaitEnd(RUNS.get(project), BUILD_TIMEOUT);
    assertThat(run.path("result").asText()).as(describe(run)).isEqualTo("failed");
    assertThat(gate(run, gate).path("status").asText()).as(describe(run)).isEqualTo("failed");
    return run;
  }

  private static JsonNode passedRun(String project) throws Exception {
    JsonNode run = api.awaitEnd(RUNS.get(project), BUILD_TIMEOUT);
    assertThat(run.path("result").asText()).as(describe(run)).isEqualTo("passed");
    return run;
  }

  private static void assertCounts(JsonNode run, int total, int failed, int skipped) {
    assertCounts(run, "unit", total, failed, skipped);
  }

  private static void assertCounts(JsonNode run, String gate, int total, int failed, int skipped) {
    JsonNode tests = gate(run, gate).path("tests");
    assertThat(List.of(tests.path("total").asInt(), tests.path("failed").asInt()))
        .as(describe(run))
        .containsExactly(total, failed);
    assertThat(tests.path("skipped").asInt()).isEqualTo(skipped);
  }

  private static void assertFirstFailure(
      JsonNode run, String name, String message, String file, int line) {
    assertFirstFailure(run, "unit", name, message, file, line);
  }

  private static void assertFirstFailure(
      JsonNode run, String gate, String name, String message, String file, int line) {
    JsonNode failure = gate(run, gate).path("failures").get(0);
    assertThat(failure.path("name").asText()).isEqualTo(name);
    assertThat(failure.path("message").asText()).isEqualTo(message);
    assertThat(failure.path("file").asText()).isEqualTo(file);
    assertThat(failure.path("line").asInt()).isEqualTo(line);
  }

  private static JsonNode gate(JsonNode run, String name) {
    for (JsonNode gate : run.path("gates")) {
      if (gate.path("name").asText().equals(name)) {
        return gate;
      }
    }
    throw new AssertionError("no gate " + name + ": " + run);
  }

  private static String pageOf(long runId) throws Exception {
    java.net.http.HttpResponse<String> page =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(stack.baseUrl() + "/runs/" + runId))
                    .header("Accept", "text/html")
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    return page.body();
  }

  private static String describe(JsonNode run) {
    try {
      String log = api.get("/runs/" + run.path("run_id").asLong() + "/logs").body();
      String tail = log.length() > 6000 ? log.substring(log.length() - 6000) : log;
      return run.toPrettyString() + "\n--- log tail ---\n" + tail;
    } catch (Exception e) {
      return run.toPrettyString();
    }
  }

  /** The projects, file by file: each a real project of its ecosystem, as small as it gets. */
  static final class Projects {

    /** Every project by name, in the order their runs start. */
    static Map<String, Map<String, String>> all() {
      Map<String, Map<String, String>> all = new LinkedHashMap<>();
      all.put("go-assertion", go(GO_ASSERTION_TEST));
      all.put("go-panic", go(GO_PANIC_TEST));
      all.put("go-passing", go(GO_PASSING_TEST));
      all.put("cargo", cargo());
      all.put("node-test", nodeTest("-1"));
      all.put("node-test-passing", nodeTest("5"));
      all.put("jest", jest());
      all.put("ctest", ctest());
      all.put("automake", automake());
      all.put("just", just());
      all.put("just-pytest", justPytest());
      all.put("task", task());
      all.put("pytest", pytest());
      all.put("maven", maven());
      all.put("gradle", gradle());
      return all;
    }

    private Projects() {}

    static final String GO_ASSERTION_TEST =
        """
        package calc

        import "testing"

        func TestAdd(t *testing.T) {
        	if got := Add(2, 3); got != 5 {
        		t.Errorf("Add(2, 3) = %d, want 5", got)
        	}
        }

        func TestSubtracts(t *testing.T) {}
        """;

    static final String GO_PANIC_TEST =
        """
        package calc

        import "testing"

        type box struct{ value int }

        func TestAdds(t *testing.T) {}

        func TestDereferences(t *testing.T) {
        	var b *box
        	t.Log("reading the box")
        	if b.value != 0 {
        		t.Fatal("unreachable")
        	}
        }
        """;

    static final String GO_PASSING_TEST =
        """
        package calc

        import "testing"

        func TestAdds(t *testing.T) {}

        func TestSubtracts(t *testing.T) {}

        func TestLater(t *testing.T) { t.Skip("not yet") }
        """;

    static Map<String, String> go(String test) {
      return Map.of(
          "go.mod",
          "module example.com/calc\n\ngo 1.21\n",
          "calc.go",
          "package calc\n\n// Add is wrong on purpose.\nfunc Add(a, b int) int { return a*b - 7 }\n",
          "calc_test.go",
          test);
    }

    static Map<String, String> cargo() {
      return Map.of(
          "Cargo.toml",
          "[package]\nname = \"calc\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
          "src/lib.rs",
          """
          pub fn add(a: i64, b: i64) -> i64 {
              a * b - 7
          }

          #[cfg(test)]
          mod tests {
              use super::*;

              #[test]
              fn adds() {
                  assert_eq!(add(2, 3), 5);
              }

              #[test]
              fn multiplies() {
                  assert_eq!(2 * 3, 6);
              }

              #[test]
              #[ignore]
              fn later() {}
          }
          """);
    }

    static Map<String, String> nodeTest(String result) {
      return Map.of(
          "package.json",
          "{\"name\": \"calc\", \"version\": \"1.0.0\", \"scripts\": {\"test\": \"node --test\"}}\n",
          "calc.js",
          "exports.add = (a, b) => " + result + ";\n",
          "calc.test.js",
          """
          const test = require('node:test');
          const assert = require('node:assert');
          const { add } = require('./calc');
          test('adds', () => {
            assert.strictEqual(add(2, 3), 5);
          });
          test('subtracts', () => {
            assert.strictEqual(3 - 2, 1);
          });
          """);
    }

    static Map<String, String> jest() {
      return Map.of(
          "package.json",
          """
          {"name": "calc", "version": "1.0.0", "scripts": {"test": "jest"},
           "devDependencies": {"jest": "29.7.0"}}
          """,
          "calc.js",
          "exports.add = (a, b) => a * b - 7;\n",
          "calc.test.js",
          """
          const { add } = require('./calc');

          describe('calc', () => {
            test('adds', () => {
              expect(add(2, 3)).toBe(5);
            });
            test('subtracts', () => {
              expect(3 - 2).toBe(1);
            });
          });
          """);
    }

    static Map<String, String> ctest() {
      return Map.of(
          "CMakeLists.txt",
          """
          cmake_minimum_required(VERSION 3.13)
          project(calc C)
          add_executable(test_calc test_calc.c)
          enable_testing()
          add_test(NAME adds COMMAND test_calc add)
          add_test(NAME subtracts COMMAND test_calc subtract)
          """,
          "test_calc.c",
          """
          #include <stdio.h>
          #include <string.h>

          static int add(int a, int b) { return a * b - 7; }

          int main(int argc, char **argv) {
            if (argc > 1 && strcmp(argv[1], "add") == 0 && add(2, 3) != 5) {
              printf("%s:%d: add(2, 3) = %d, want 5\\n", "test_calc.c", __LINE__, add(2, 3));
              return 1;
            }
            return 0;
          }
          """);
    }

    /** GitFixtures runs autoreconf, so the repository holds configure and Makefile.in. */
    static Map<String, String> automake() {
      return Map.of(
          "configure.ac",
          """
          AC_INIT([calc], [1.0])
          AM_INIT_AUTOMAKE([foreign])
          AC_PROG_CC
          AC_CONFIG_FILES([Makefile])
          AC_OUTPUT
          """,
          "Makefile.am",
          """
          TESTS = test_add test_sub test_later.sh
          check_PROGRAMS = test_add test_sub
          """,
          "test_add.c",
          """
          #include <stdio.h>

          static int add(int a, int b) { return a * b - 7; }

          int main(void) {
            if (add(2, 3) != 5) {
              printf("%s:%d: add(2, 3) = %d, want 5\\n", "test_add.c", __LINE__, add(2, 3));
              return 1;
            }
            return 0;
          }
          """,
          "test_sub.c",
          "int main(void) { return 3 - 2 == 1 ? 0 : 1; }\n",
          "test_later.sh",
          "#!/bin/sh\n# Automake's harness counts exit status 77 as a skipped test.\nexit 77\n");
    }

    static Map<String, String> just() {
      return Map.of(
          "justfile",
          """
          build:
              mkdir -p target
              rustc --edition 2021 --test calc.rs -o target/calc_test

          test:
              target/calc_test
          """,
          "calc.rs",
          """
          pub fn add(a: i64, b: i64) -> i64 {
              a * b - 7
          }

          #[cfg(test)]
          mod tests {
              use super::*;

              #[test]
              fn adds() {
                  assert_eq!(add(2, 3), 5);
              }

              #[test]
              fn multiplies() {
                  assert_eq!(2 * 3, 6);
              }

              #[test]
              #[ignore]
              fn later() {}
          }
          """);
    }

    static Map<String, String> justPytest() {
      Map<String, String> files = new LinkedHashMap<>(pytest());
      files.remove("kiln.yaml");
      files.put("justfile", "test:\n    python3 -m pytest -p no:cacheprovider\n");
      return files;
    }

    static Map<String, String> task() {
      Map<String, String> files = new LinkedHashMap<>(nodeTest("-1"));
      files.remove("package.json");
      files.put(
          "Taskfile.yml",
          """
          version: '3'

          tasks:
            test:
              cmds:
                - node --test
          """);
      return files;
    }

    static Map<String, String> pytest() {
      return Map.of(
          "kiln.yaml",
          """
          gates:
            - name: unit
              run: python3 -m pytest -p no:cacheprovider --junitxml=reports/pytest.xml
              reports:
                junit: "reports/*.xml"
          """,
          "calc.py",
          "def add(a, b):\n    return a * b - 7\n",
          "test_calc.py",
          """
          import pytest
          from calc import add

          def test_adds():
              assert add(2, 3) == 5

          def test_subtracts():
              assert 3 - 2 == 1

          @pytest.mark.skip(reason="later")
          def test_later():
              pass
          """);
    }

    static Map<String, String> gradle() {
      return Map.of(
          "build.gradle",
          """
          apply plugin: 'java'
          repositories { mavenCentral() }
          dependencies { testCompile 'junit:junit:4.13.2' }
          """,
          "src/main/java/calc/Calc.java",
          """
          package calc;

          public final class Calc {
            public static int add(int a, int b) {
              return a * b - 7;
            }
          }
          """,
          "src/test/java/calc/CalcTest.java",
          """
          package calc;

          import static org.junit.Assert.assertEquals;

          import org.junit.Test;

          public class CalcTest {
            @Test
            public void adds() {
              assertEquals(5, Calc.add(2, 3));
            }

            @Test
            public void subtracts() {
              assertEquals(1, 3 - 2);
            }
          }
          """);
    }

    static Map<String, String> maven() {
      Map<String, String> files = new LinkedHashMap<>();
      files.put(
          "pom.xml",
          """
          <?xml version="1.0" encoding="UTF-8"?>
          <project xmlns="http://maven.apache.org/POM/4.0.0">
            <modelVersion>4.0.0</modelVersion>
            <groupId>dev.kiln.fixture</groupId>
            <artifactId>calc</artifactId>
            <version>1.0.0</version>
            <properties>
              <maven.compiler.release>17</maven.compiler.release>
              <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
            </properties>
            <dependencies>
              <dependency>
                <groupId>org.junit.jupiter</groupId>
                <artifactId>junit-jupiter</artifactId>
                <version>6.0.3</version>
                <scope>test</scope>
              </dependency>
            </dependencies>
            <build>
              <plugins>
                <plugin><artifactId>maven-compiler-plugin</artifactId><version>3.15.0</version></plugin>
                <plugin><artifactId>maven-resources-plugin</artifactId><version>3.5.0</version></plugin>
                <plugin><artifactId>maven-surefire-plugin</artifactId><version>3.5.6</version></plugin>
                <plugin><artifactId>maven-jar-plugin</artifactId><version>3.5.1</version></plugin>
              </plugins>
            </build>
          </project>
          """);
      files.put(
          "src/main/java/calc/Calc.java",
          """
          package calc;

          public final class Calc {
            private Calc() {}

            public static int add(int a, int b) {
              return a * b - 7;
            }
          }
          """);
      files.put(
          "src/test/java/calc/CalcTest.java",
          """
          package calc;

          import static org.junit.jupiter.api.Assertions.assertEquals;

          import org.junit.jupiter.api.Test;

          class CalcTest {
            @Test
            void adds() {
              assertEquals(5, Calc.add(2, 3));
            }

            @Test
            void subtracts() {
              assertEquals(1, 3 - 2);
            }
          }
          """);
      return files;
    }
  }
}
