package dev.kiln.activities.process;

import static dev.kiln.activities.process.ChildProcesses.fakeTool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.workflows.activities.RunContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a command that runs to completion sees and reports. Real child processes throughout. */
class ProcessRunnerTest {

  /** Variables bash itself adds to every child it starts. */
  private static final Set<String> ADDED_BY_BASH = Set.of("PWD", "SHLVL", "_");

  @TempDir Path workDir;

  private final RecordingSink sink = new RecordingSink();

  @Test
  void exitCodeOfTheCommandIsReported() {
    ProcessExit exit = run(fakeTool("exit", "3"));

    assertThat(exit.exitCode()).isEqualTo(3);
    assertThat(exit.succeeded()).isFalse();
    assertThat(exit.cancelled()).isFalse();
    assertThat(exit.timedOut()).isFalse();
    assertThat(exit.describe()).isEqualTo("exit code 3");
  }

  @Test
  void commandExitingZeroSucceeds() {
    ProcessExit exit = run("true");

    assertThat(exit.succeeded()).isTrue();
    assertThat(exit.cancelReason()).isNull();
  }

  @Test
  void failureInsideAPipelineFailsTheCommand() {
    assertThat(run("false | cat").exitCode()).isEqualTo(1);
  }

  @Test
  void firstFailingStatementStopsTheScript() {
    ProcessExit exit = run("echo before; false; echo after");

    assertThat(exit.exitCode()).isEqualTo(1);
    assertThat(sink.text()).isEqualTo("before\n");
  }

  @Test
  void outputIsCapturedByteExactIncludingAnsiEscapesAndStderr() {
    ProcessExit exit =
        run(
            "printf '\\033[1;31merror\\033[0m: red\\n'; printf 'to stderr\\n' >&2;"
                + " printf '\\r50%%\\r100%%\\n'; printf '\\377\\000end'");

    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    expected.writeBytes(
        "\u001b[1;31merror\u001b[0m: red\nto stderr\n\r50%\r100%\n"
            .getBytes(StandardCharsets.US_ASCII));
    expected.writeBytes(new byte[] {(byte) 0xff, 0, 'e', 'n', 'd'});
    assertThat(sink.bytes()).isEqualTo(expected.toByteArray());
    assertThat(exit.outputBytes()).isEqualTo(expected.size());
    assertThat(sink.finishes())
        .singleElement()
        .satisfies(f -> assertThat(f).containsExactly(expected.size(), 0));
  }

  @Test
  void commandRunsInTheWorkDirAndReadsEndOfFileFromStdin() {
    ProcessExit exit = run("pwd; cat; echo done");

    assertThat(exit.succeeded()).isTrue();
    assertThat(sink.text()).isEqualTo(workDir.toAbsolutePath() + "\ndone\n");
  }

  @Test
  void commandSeesExactlyTheConfiguredEnvironment() {
    RunContext run =
        new RunContext(
            42, "https://git.example/r.git", "9f1c", "x86_64", "all", List.of("-k", "V=1"));
    Map<String, String> plan = Map.of("CFLAGS", "-O2", "TRICKY", "two words\n'quoted' $HOME");
    Map<String, String> env = BuildEnvironment.forRun(System.getenv(), run, 2, plan);

    ProcessExit exit =
        run(ProcessConfig.of(fakeTool("prints-env"), workDir, env, Duration.ofMinutes(1)));

    assertThat(exit.succeeded()).isTrue();
    Map<String, String> seen = parseEnv(sink.text());
    ADDED_BY_BASH.forEach(seen::remove);
    assertThat(seen).isEqualTo(new TreeMap<>(env));
    assertThat(seen)
        .containsEntry("KILN_RUN_ID", "42")
        .containsEntry("KILN_ARGS", "-k V=1")
        .containsEntry("TRICKY", "two words\n'quoted' $HOME");
  }

  @Test
  void workerVariablesOutsideTheWhitelistNeverReachTheCommand() {
    Map<String, String> env = BuildEnvironment.inherited(System.getenv());

    run(ProcessConfig.of(fakeTool("prints-env"), workDir, env, Duration.ofMinutes(1)));

    Set<String> notInherited = new HashMap<>(System.getenv()).keySet();
    notInherited.removeAll(BuildEnvironment.INHERITED);
    notInherited.removeAll(ADDED_BY_BASH);
    notInherited.removeAll(env.keySet());
    assertThat(parseEnv(sink.text()).keySet()).doesNotContainAnyElementsOf(notInherited);
  }

  @Test
  void outputPastTheCapIsDroppedOnceWhileTheCommandRunsToTheEnd() {
    ProcessConfig config =
        ProcessConfig.of(
                fakeTool("floods-output", "1000000"), workDir, Map.of(), Duration.ofMinutes(1))
            .withMaxOutputBytes(100_000);

    ProcessExit exit = run(config);

    assertThat(exit.succeeded()).isTrue();
    assertThat(exit.outputBytes()).isEqualTo(1_000_000);
    assertThat(sink.bytes()).hasSize(100_000);
    assertThat(sink.truncations()).containsExactly(100_000L);
    assertThat(sink.finishes())
        .singleElement()
        .satisfies(f -> assertThat(f).containsExactly(1_000_000, 900_000));
  }

  @Test
  void outputGoesToASpoolFileThatIsDeletedWhenTheCommandEnds() {
    ProcessExit exit = run("readlink /proc/self/fd/1; readlink /proc/self/fd/2");

    assertThat(exit.succeeded()).isTrue();
    List<String> targets = sink.text().lines().toList();
    assertThat(targets).hasSize(2).allMatch(t -> t.equals(targets.get(0)));
    Path spool = Path.of(targets.get(0));
    assertThat(spool.getFileName().toString()).startsWith("kiln-output-").endsWith(".log");
    assertThat(spool).doesNotExist();
  }

  @Test
  void pastTheCapTheSpoolFileIsFreedAsItIsReadSoAFloodFillsNoDisk() throws Exception {
    ProcessRunner runner =
        new ProcessRunner(
            config("readlink /proc/self/fd/1; timeout 5 yes || test $? -eq 124")
                .withMaxOutputBytes(16 << 20),
            sink);
    long[] mostKib = {0};
    Thread sampler =
        new Thread(
            () -> {
              while (!runner.done().isDone()) {
                String first = sink.text().lines().findFirst().orElse("");
                if (first.startsWith("/")) {
                  mostKib[0] = Math.max(mostKib[0], allocatedKib(Path.of(first)));
                }
              }
            });
    sampler.start();

    ProcessExit exit = runner.run();
    sampler.join();

    System.out.println("spool at most " + mostKib[0] + " KiB; output " + exit.outputBytes());
    assertThat(exit.succeeded()).isTrue();
    assertThat(exit.outputBytes()).as("every byte counted").isGreaterThan(100L << 20);
    assertThat(mostKib[0]).as("the sampler saw the spool").isPositive();
    // the cap, plus what the flood writes while the reader is descheduled on a busy machine
    assertThat(mostKib[0] << 10).as("disk the spool took").isLessThan((16L << 20) + (64L << 20));
  }

  /** What a file takes on disk, from du: the holes of a sparse file take nothing. */
  private static long allocatedKib(Path file) {
    try {
      Process du = new ProcessBuilder("du", "-k", file.toString()).start();
      String out = new String(du.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      du.waitFor();
      return out.isBlank() ? 0 : Long.parseLong(out.trim().split("\\s+")[0]);
    } catch (IOException | InterruptedException | NumberFormatException e) {
      return 0;
    }
  }

  @Test
  void outputWrittenInPiecesWithPausesArrivesWholeAndInOrder() {
    ProcessExit exit =
        run("for i in $(seq 20); do printf 'piece %d\\n' $i; sleep 0.02; done; printf tail");

    assertThat(exit.succeeded()).isTrue();
    StringBuilder expected = new StringBuilder();
    for (int i = 1; i <= 20; i++) {
      expected.append("piece ").append(i).append('\n');
    }
    assertThat(sink.text()).isEqualTo(expected + "tail");
  }

  @Test
  void tickIsCalledRepeatedlyWhileTheCommandRuns() {
    AtomicInteger ticks = new AtomicInteger();
    ProcessRunner runner = new ProcessRunner(config("sleep 1"), sink);

    runner.run(ticks::incrementAndGet, Duration.ofMillis(100));

    assertThat(ticks.get()).isGreaterThanOrEqualTo(5);
  }

  @Test
  void runCanOnlyBeCalledOnce() {
    ProcessRunner runner = new ProcessRunner(config("true"), sink);
    runner.run();

    assertThatThrownBy(runner::run).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void commandThatCannotStartFailsRunAndDone() {
    Path missing = workDir.resolve("missing");
    ProcessRunner runner =
        new ProcessRunner(ProcessConfig.of("true", missing, Map.of(), Duration.ofMinutes(1)), sink);

    assertThatThrownBy(runner::run)
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining(missing.toString());
    assertThat(runner.done()).isCompletedExceptionally();
  }

  @Test
  void startedCompletesWithTheGroupIdAndDoneWithTheExit() throws Exception {
    ProcessRunner runner = new ProcessRunner(config("echo $$ > leader.pid"), sink);

    ProcessExit exit = runner.run();

    long leader = Long.parseLong(Files.readString(workDir.resolve("leader.pid")).trim());
    assertThat(runner.started()).isCompletedWithValue(leader);
    assertThat(runner.done()).isCompletedWithValue(exit);
  }

  private ProcessExit run(String command) {
    return run(config(command));
  }

  private ProcessExit run(ProcessConfig config) {
    return new ProcessRunner(config, sink).run();
  }

  private ProcessConfig config(String command) {
    return ProcessConfig.of(
        command, workDir, BuildEnvironment.inherited(System.getenv()), Duration.ofMinutes(1));
  }

  private static Map<String, String> parseEnv(String nulSeparated) {
    Map<String, String> env = new TreeMap<>();
    for (String pair : nulSeparated.split("\0")) {
      int eq = pair.indexOf('=');
      env.put(pair.substring(0, eq), pair.substring(eq + 1));
    }
    return env;
  }
}
