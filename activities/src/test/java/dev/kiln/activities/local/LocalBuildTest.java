package dev.kiln.activities.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.activities.BuildHost;
import dev.kiln.activities.logs.PrintedChunks;
import dev.kiln.workflows.Result;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A local run's steps, judged as a server run's are, on a host without a sandbox (the sandbox is
 * the end-to-end test's): real commands in a real workspace, the log as the run writes it.
 */
class LocalBuildTest {

  @TempDir Path home;
  Path workspace;
  BuildHost host;
  ByteArrayOutputStream log;

  @BeforeEach
  void setUp() throws IOException {
    workspace = Files.createDirectories(home.resolve("work").resolve("runs").resolve("local"));
    host = new BuildHost("this machine", "local-1", home, Duration.ofSeconds(2), 2);
    log = new ByteArrayOutputStream();
  }

  @Test
  void aPassingPlanRunsItsCompileCommandsAndGatesAndSaysSoInTheLog() throws IOException {
    kilnYaml(
        """
        compile:
          - echo compiling > compiled.txt
        gates:
          - name: unit
            run: cat compiled.txt
        """);

    LocalBuild.Outcome outcome = build(() -> false);

    assertThat(outcome).isEqualTo(new LocalBuild.Outcome(Result.PASSED, null));
    assertThat(log())
        .containsSubsequence(
            "plan: kiln.yaml\n",
            "compile on this machine (kiln.yaml)\n",
            "sandbox: none (no isolation, no limits)\n",
            "$ echo compiling > compiled.txt\n",
            "gate unit\n",
            "$ cat compiled.txt\n",
            "compiling\n",
            "gate unit passed: passed\n");
  }

  @Test
  void aFailedCompileCommandFailsTheRunWithTheFirstCompilerErrorAndRunsNoGate() throws IOException {
    kilnYaml(
        """
        compile:
          - "echo 'src/main.c:3:5: error: expected expression' >&2; exit 1"
        gates:
          - name: unit
            run: echo gate ran
        """);

    LocalBuild.Outcome outcome = build(() -> false);

    assertThat(outcome.result()).isEqualTo(Result.FAILED);
    assertThat(outcome.failureSummary())
        .startsWith("compile failed: src/main.c:3:5: error: expected expression");
    assertThat(log()).contains(outcome.failureSummary() + " (exit code 1)\n");
    assertThat(log()).doesNotContain("gate unit").doesNotContain("gate ran");
  }

  @Test
  void theFirstFailedRequiredGateFailsTheRunAndBlocksTheRestWhileAnOptionalOneDoesNot()
      throws IOException {
    kilnYaml(
        """
        gates:
          - name: lint
            run: "echo 'style.c:1: warning: too long' >&2; exit 3"
            required: false
          - name: unit
            run: "echo 'FAIL adds numbers' >&2; exit 1"
          - name: after
            run: echo after ran
        """);

    LocalBuild.Outcome outcome = build(() -> false);

    assertThat(outcome.result()).isEqualTo(Result.FAILED);
    assertThat(outcome.failureSummary()).startsWith("gate unit failed: ");
    assertThat(log())
        .contains("gate lint (optional)\n", "gate lint failed: ", "gate unit failed: ")
        .doesNotContain("after ran");
  }

  @Test
  void aGatesJUnitReportNamesTheFailedTestInTheSummary() throws IOException {
    kilnYaml(
        """
        gates:
          - name: unit
            run: |
              mkdir -p build/test-results
              cat > build/test-results/TEST-calc.xml <<'XML'
              <testsuite name="calc" tests="2" failures="1">
                <testcase classname="calc.CalcTest" name="adds"><failure message="expected 4 but was 0"/></testcase>
                <testcase classname="calc.CalcTest" name="subtracts"/>
              </testsuite>
              XML
              exit 1
        """);

    LocalBuild.Outcome outcome = build(() -> false);

    assertThat(outcome.result()).isEqualTo(Result.FAILED);
    assertThat(outcome.failureSummary())
        .startsWith("gate unit failed: 1 of 2 tests failed: ")
        .contains("adds")
        .contains("expected 4 but was 0");
    assertThat(log()).contains("tests from JUnit XML: 2 tests, 1 failed\n");
  }

  @Test
  void aStepThatNamesSecretsRunsWithoutThemAndItsLogSaysWhy() throws IOException {
    kilnYaml(
        """
        compile:
          - run: echo "token=[${DEPLOY_TOKEN:-}]"
            secrets: [DEPLOY_TOKEN]
        """);

    LocalBuild.Outcome outcome = build(() -> false);

    assertThat(outcome.result()).isEqualTo(Result.PASSED);
    assertThat(log())
        .containsSubsequence(
            "secrets DEPLOY_TOKEN not given: " + LocalBuild.NO_SECRETS + "\n", "token=[]\n");
  }

  @Test
  void artifactsAreNotStagedAndTheLogSaysSo() throws IOException {
    kilnYaml(
        """
        compile:
          - touch app.tar.gz
        stage:
          artifacts: ["*.tar.gz"]
        """);

    assertThat(build(() -> false).result()).isEqualTo(Result.PASSED);
    assertThat(log()).contains("stage: skipped: a local run keeps no artifacts (*.tar.gz)\n");
  }

  @Test
  void anInterruptKillsTheRunningCommandsGroupAndEndsTheRunCancelled() throws IOException {
    kilnYaml(
        """
        compile:
          - touch started && sleep 60 && touch finished
          - echo next command ran
        """);
    AtomicBoolean asked = new AtomicBoolean();
    BooleanSupplier ctrlCOnceStarted =
        () -> {
          if (Files.exists(workspace.resolve("started"))) {
            asked.set(true);
          }
          return asked.get();
        };

    LocalBuild.Outcome outcome = build(ctrlCOnceStarted);

    assertThat(outcome).isEqualTo(new LocalBuild.Outcome(Result.CANCELLED, LocalBuild.INTERRUPTED));
    assertThat(log())
        .containsSubsequence(
            "cancelling: SIGTERM sent (interrupted at the terminal)\n",
            "process group gone\n",
            LocalBuild.INTERRUPTED + "\n")
        .doesNotContain("next command ran");
    assertThat(workspace.resolve("finished")).doesNotExist();
  }

  @Test
  void aWorkspaceWithoutAPlanFailsSayingWhy() {
    LocalBuild.Outcome outcome = build(() -> false);

    assertThat(outcome.result()).isEqualTo(Result.FAILED);
    assertThat(log()).startsWith("plan: ").contains(outcome.failureSummary());
  }

  private LocalBuild.Outcome build(BooleanSupplier interrupted) {
    return new LocalBuild(host, new PrintedChunks(log))
        .run(workspace, "demo", "0123456789abcdef", interrupted);
  }

  private void kilnYaml(String yaml) throws IOException {
    Files.writeString(workspace.resolve("kiln.yaml"), yaml);
  }

  private String log() {
    return log.toString(StandardCharsets.UTF_8);
  }
}
