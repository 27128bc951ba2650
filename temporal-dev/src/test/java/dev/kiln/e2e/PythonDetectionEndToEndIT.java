package dev.kiln.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Python project without kiln.yaml builds through the real dev stack in its sandbox: detection
 * makes a virtual environment in the workspace, installs {@code requirements.txt} into it and runs
 * pytest with JUnit XML as the gate. The project needs nothing but pytest, which the environment
 * takes from the worker's Python ({@code --system-site-packages}), so nothing is downloaded.
 */
class PythonDetectionEndToEndIT {

  static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);

  @TempDir static Path temp;
  static DevStackProcess stack;
  static KilnHttp api;

  @BeforeAll
  static void startStack() throws Exception {
    stack = DevStackProcess.start(temp.resolve("kiln-home"));
    api = new KilnHttp(stack.baseUrl());
  }

  @AfterAll
  static void stopStack() throws Exception {
    if (stack != null) {
      stack.stopLeavingNothingBehind();
    }
  }

  @Test
  void aPythonProjectWithAFailingTestFailsItsPytestGateWithCountsAndTheAssertion()
      throws Exception {
    String repo = new GitFixtures(temp.resolve("repos")).project("python", project());

    KilnHttp.Answer accepted = api.rebuild(Map.of("repo", repo));
    assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
    long runId = accepted.json().path("run_id").asLong();
    JsonNode run = api.awaitEnd(runId, BUILD_TIMEOUT);
    String log = api.get("/runs/" + runId + "/logs").body();

    assertThat(run.path("result").asText()).as(run.toPrettyString() + log).isEqualTo("failed");
    assertThat(log)
        .contains(
            "detected Python: pyproject.toml found, virtual environment .kiln-venv (with the"
                + " worker's site packages), installing requirements.txt, not a package, nothing"
                + " to install, tests with pytest, JUnit XML");
    assertThat(run.path("failure_summary").asText())
        .as(log)
        .isEqualTo(
            "gate unit failed: 1 of 2 tests failed: test_calc.test_adds: test_calc.py:5: assert"
                + " -1 == 5 (where -1 = add(2, 3))");
    JsonNode gate = run.path("gates").get(0);
    assertThat(gate.path("name").asText()).isEqualTo("unit");
    assertThat(gate.path("tests").path("total").asInt()).isEqualTo(2);
    assertThat(gate.path("tests").path("failed").asInt()).isEqualTo(1);
    assertThat(gate.path("failures").get(0).path("name").asText()).isEqualTo("test_calc.test_adds");
    JsonNode failed = api.get("/runs/" + runId + "/tests?status=failed").json().path("tests");
    assertThat(failed).hasSize(1);
    assertThat(failed.get(0).path("name").asText()).endsWith("test_adds");
    assertThat(api.get("/runs/" + runId + "/tests").json().path("tests")).hasSize(2);
  }

  private static Map<String, String> project() {
    return Map.of(
        "pyproject.toml",
        "[tool.pytest.ini_options]\naddopts = \"-p no:cacheprovider\"\n",
        "requirements.txt",
        "pytest\n",
        "calc.py",
        "def add(a, b):\n    return a * b - 7\n",
        "test_calc.py",
        """
        from calc import add


        def test_adds():
            assert add(2, 3) == 5


        def test_subtracts():
            assert 3 - 2 == 1
        """);
  }
}
