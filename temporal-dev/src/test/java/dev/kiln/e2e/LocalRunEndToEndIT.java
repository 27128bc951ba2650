package dev.kiln.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kiln run --local} as a user runs it: {@code bin/kiln} as a process of its own, no server,
 * on small real projects made here with git, built in the workers' default sandbox (bubblewrap,
 * cgroups). Each run's scratch directory goes under a temporary directory of the test's own, so the
 * test sees it removed.
 */
class LocalRunEndToEndIT {

  private static final Duration RUN = Duration.ofMinutes(2);

  @TempDir Path temp;
  Path project;
  Path scratch;

  @BeforeEach
  void directories() throws IOException {
    project = Files.createDirectories(temp.resolve("hello"));
    scratch = Files.createDirectories(temp.resolve("tmp"));
  }

  @Test
  void aPassingProjectExitsZeroAndItsLogShowsThePlanAndTheCommands() throws Exception {
    write(
        "Makefile", "all: hello\nhello: hello.c\n\tcc -o hello hello.c\ntest: hello\n\t./hello\n");
    write("hello.c", "#include <stdio.h>\nint main(void) { puts(\"hello, kiln\"); return 0; }\n");
    commit();

    KilnCliProcess.Finished run = runLocal();

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .containsSubsequence(
            "plan: detected Make: Makefile found, gate make test\n",
            "compile on this machine (detected Make: Makefile found, gate make test)\n",
            "sandbox: bwrap (cgroup v",
            "$ make -j\"$KILN_CPUS\"\n",
            "cc -o hello hello.c\n",
            "gate test\n",
            "$ make test\n",
            "hello, kiln\n",
            "gate test passed: passed\n");
    assertThat(lastLine(run.err())).isEqualTo("local run passed");
    assertThat(project.resolve("hello")).as("the build wrote into a copy only").doesNotExist();
    assertThat(scratchLeft()).isEmpty();
  }

  @Test
  void aCompileErrorExitsOneWithTheFileAndLineInTheSummary() throws Exception {
    write("Makefile", "all: hello\nhello: hello.c\n\tcc -o hello hello.c\n");
    write("hello.c", "#include <stdio.h>\nint main(void) {\n  puts(\"hi\") return 0;\n}\n");
    commit();

    KilnCliProcess.Finished run = runLocal();

    assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
    assertThat(lastLine(run.err()))
        .startsWith("local run failed: compile failed: hello.c:3:")
        .contains("error: expected");
    assertThat(run.out()).contains("compile failed: hello.c:3:").doesNotContain("gate ");
    assertThat(scratchLeft()).isEmpty();
  }

  @Test
  void aFailingTestGateExitsOneAndTheSummaryNamesTheTest() throws Exception {
    write("calc.py", "def add(a, b):\n    return a - b\n");
    write(
        "test_calc.py",
        "from calc import add\n\n\ndef test_adds():\n    assert add(2, 2) == 4\n\n\n"
            + "def test_zero():\n    assert add(0, 0) == 0\n");
    write(
        "kiln.yaml",
        """
        compile:
          - python3 -m py_compile calc.py
        gates:
          - name: unit
            run: python3 -m pytest -q -p no:cacheprovider --junitxml=build/test-results/TEST-unit.xml
        """);
    commit();

    KilnCliProcess.Finished run = runLocal();

    assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
    assertThat(run.out()).contains("tests from JUnit XML: 2 tests, 1 failed\n");
    assertThat(lastLine(run.err()))
        .startsWith("local run failed: gate unit failed: 1 of 2 tests failed: ")
        .contains("test_adds")
        .contains("test_calc.py:5");
  }

  @Test
  void anUncommittedChangeIsBuiltAndAnIgnoredFileIsNotInTheWorkspace() throws Exception {
    write(".gitignore", "secret.txt\n");
    write("message.txt", "committed\n");
    write(
        "kiln.yaml",
        """
        compile:
          - cat message.txt untracked.txt
        gates:
          - name: tree
            run: ls -A | grep -v '^.git$'
        """);
    commit();
    write("message.txt", "changed, not committed\n");
    write("untracked.txt", "untracked\n");
    write("secret.txt", "ignored\n");

    KilnCliProcess.Finished run = runLocal();

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out().lines())
        .contains("changed, not committed", "untracked", "message.txt", "untracked.txt")
        .doesNotContain("committed", "secret.txt");
    assertThat(project.resolve("secret.txt")).hasContent("ignored");
  }

  @Test
  void ctrlCKillsTheBuildsProcessGroupAndExitsTwo() throws Exception {
    String marker = "600." + Math.abs(UUID.randomUUID().getMostSignificantBits() % 100_000);
    write("kiln.yaml", "compile:\n  - sleep " + marker + "\n  - echo next command\n");
    commit();

    KilnCliProcess kiln = startLocal();
    await().atMost(RUN).until(() -> !HostProcesses.containing("sleep " + marker).isEmpty());
    kiln.interrupt();
    KilnCliProcess.Finished run = kiln.await(RUN);

    assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
    assertThat(run.out())
        .contains(
            "cancelling: SIGTERM sent (interrupted at the terminal)\n", "process group gone\n")
        .doesNotContain("next command");
    assertThat(lastLine(run.err()))
        .isEqualTo("local run cancelled: interrupted by Ctrl-C: process group killed");
    assertThat(HostProcesses.containing("sleep " + marker)).isEmpty();
    assertThat(scratchLeft()).isEmpty();
  }

  @Test
  void withoutBubblewrapItFailsClosedWithTheWorkersMessageAndExitsThree() throws Exception {
    write("Makefile", "all:\n\ttouch built\n");
    commit();
    // A PATH with what bin/kiln itself needs, and no bwrap
    Path bin = Files.createDirectories(temp.resolve("bin-without-bwrap"));
    Files.createSymbolicLink(bin.resolve("dirname"), Path.of("/usr/bin/dirname"));

    KilnCliProcess.Finished run =
        KilnCliProcess.start(
                temp.resolve("cli"),
                null,
                Map.of("PATH", bin.toString(), "KILN_JAVA_OPTS", "-Djava.io.tmpdir=" + scratch),
                "run",
                "--local",
                project.toString())
            .await(RUN);

    assertThat(run.exitCode()).as(run.err()).isEqualTo(3);
    assertThat(run.err())
        .isEqualTo(
            "kiln: the build sandbox cannot be set up: bwrap is not installed (Debian/Ubuntu:"
                + " apt-get install bubblewrap). Fix that, or set kiln.worker.sandbox=none to run"
                + " builds without isolation (kiln run --local: --no-sandbox, or"
                + " KILN_WORKER_SANDBOX=none)\n");
    assertThat(run.out()).isEmpty();
    assertThat(scratchLeft()).isEmpty();
  }

  private KilnCliProcess.Finished runLocal() throws IOException, InterruptedException {
    return startLocal().await(RUN);
  }

  private KilnCliProcess startLocal() throws IOException {
    return KilnCliProcess.start(
        temp.resolve("cli"),
        null,
        Map.of("KILN_JAVA_OPTS", "-Djava.io.tmpdir=" + scratch),
        "run",
        "--local",
        project.toString());
  }

  private List<Path> scratchLeft() throws IOException {
    try (var files = Files.list(scratch)) {
      return files.toList();
    }
  }

  private static String lastLine(String text) {
    List<String> lines = text.lines().toList();
    return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
  }

  private void write(String path, String content) throws IOException {
    Path file = project.resolve(path);
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
  }

  private void commit() throws Exception {
    try (Git git = Git.init().setDirectory(project.toFile()).setInitialBranch("main").call()) {
      git.add().addFilepattern(".").call();
      PersonIdent author = new PersonIdent("Kiln Test", "test@kiln.dev");
      git.commit().setMessage("first").setAuthor(author).setCommitter(author).setSign(false).call();
    }
  }
}
