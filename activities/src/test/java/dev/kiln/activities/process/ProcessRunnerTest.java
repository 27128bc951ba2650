package dev.kiln.activities.process;

import static dev.kiln.activities.process.ChildProcesses.fakeTool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.workflows.activities.RunContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
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
            42, "https://git.example/r.git", "9f1c", "x86_64", "all", List.of("-k", "V=1"), 1);
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
  void outputGoesThroughAPipeIntoASpoolFileThatIsDeletedWhenTheCommandEnds() throws Exception {
    String marker = "spool-" + UUID.randomUUID();
    ProcessRunner runner =
        new ProcessRunner(
            config("echo " + marker + "; readlink /proc/self/fd/1 /proc/self/fd/2; sleep 1"), sink);
    List<Path> spools = new CopyOnWriteArrayList<>();
    Thread finder = new Thread(() -> spools.addAll(awaitSpoolStartingWith(marker, runner)));
    finder.start();

    ProcessExit exit = runner.run();
    finder.join();

    assertThat(exit.succeeded()).isTrue();
    List<String> lines = sink.text().lines().toList();
    assertThat(lines.subList(1, 3))
        .as("stdout and stderr")
        .allMatch(target -> target.matches("pipe:\\[\\d+]"))
        .containsOnly(lines.get(1));
    assertThat(spools).singleElement().satisfies(spool -> assertThat(spool).doesNotExist());
    assertThat(spools.get(0).getFileName().toString()).startsWith("kiln-output-").endsWith(".log");
  }

  @Test
  void aFloodPastTheCapNeverPutsMoreThanTheCapIntoTheSpoolWhateverTheReaderDoes() throws Exception {
    long cap = 16L << 20;
    String marker = "flood-" + UUID.randomUUID();
    // The sink stalls for a second on its first write: a worker too busy to read changes nothing.
    AtomicInteger writes = new AtomicInteger();
    OutputSink slow =
        delaying(
            () -> {
              if (writes.getAndIncrement() == 0) {
                LockSupport.parkNanos(Duration.ofSeconds(1).toNanos());
              }
            });
    ProcessRunner runner =
        new ProcessRunner(
            config("echo " + marker + "; timeout 5 yes || test $? -eq 124").withMaxOutputBytes(cap),
            slow);
    long[] most = {0, 0}; // length, allocated
    Thread sampler =
        new Thread(
            () -> {
              List<Path> found = awaitSpoolStartingWith(marker, runner);
              while (!found.isEmpty() && !runner.done().isDone()) {
                most[0] = Math.max(most[0], sizeOrZero(found.get(0)));
                most[1] = Math.max(most[1], allocatedKib(found.get(0)) << 10);
              }
            });
    sampler.start();

    ProcessExit exit = runner.run();
    sampler.join();

    System.out.printf("spool at most %d bytes long, %d bytes on disk%n", most[0], most[1]);
    assertThat(exit.succeeded()).isTrue();
    assertThat(exit.outputBytes()).as("every byte counted").isGreaterThan(100L << 20);
    assertThat(sink.bytes()).hasSize((int) cap);
    assertThat(sink.truncations()).containsExactly(cap);
    assertThat(sink.finishes())
        .singleElement()
        .satisfies(
            f -> assertThat(f).containsExactly(exit.outputBytes(), exit.outputBytes() - cap));
    assertThat(most[0]).as("the sampler saw the spool").isPositive();
    assertThat(most[0]).as("spool length").isLessThanOrEqualTo(cap + 1);
    assertThat(most[1]).as("disk the spool took").isLessThanOrEqualTo(cap + (64 << 10));
  }

  /**
   * The spool file in the temp directory whose output starts with {@code marker} (other tests on
   * this machine may be running commands too), found while {@code runner} runs; empty if none.
   */
  private static List<Path> awaitSpoolStartingWith(String marker, ProcessRunner runner) {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    byte[] expected = marker.getBytes(StandardCharsets.UTF_8);
    while (!runner.done().isDone()) {
      try (Stream<Path> files = Files.list(tmp)) {
        List<Path> spools =
            files
                .filter(f -> f.getFileName().toString().startsWith("kiln-output-"))
                .filter(f -> startsWith(f, expected))
                .toList();
        if (!spools.isEmpty()) {
          return spools;
        }
      } catch (IOException e) {
        // a file went away while listing: look again
      }
    }
    return List.of();
  }

  private static boolean startsWith(Path file, byte[] prefix) {
    try (InputStream in = Files.newInputStream(file)) {
      return Arrays.equals(in.readNBytes(prefix.length), prefix);
    } catch (IOException e) {
      return false;
    }
  }

  private static long sizeOrZero(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return 0;
    }
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

  /**
   * A command that prints 8 MiB at once and exits, to a worker that forwards slowly: all of it
   * reaches the sink however long past the output wait that takes, heartbeating all along.
   */
  @Test
  void outputSpooledBeforeTheEndIsForwardedToItsEndHeartbeatingMeanwhile() {
    OutputSink slow = delaying(() -> LockSupport.parkNanos(Duration.ofMillis(20).toNanos()));
    ProcessRunner runner =
        new ProcessRunner(
            config("head -c 8388608 /dev/zero | tr '\\0' x")
                .withOutputWaitDelay(Duration.ofMillis(100)),
            slow);
    List<Long> ticks = new ArrayList<>();
    long began = System.nanoTime();

    ProcessExit exit = runner.run(() -> ticks.add(System.nanoTime()), Duration.ofMillis(100));

    long tookMillis = (System.nanoTime() - began) / 1_000_000;
    assertThat(exit.succeeded()).isTrue();
    assertThat(sink.bytes()).as("after %d ms", tookMillis).hasSize(8 << 20);
    assertThat(sink.finishes()).singleElement().satisfies(f -> assertThat(f[1]).isZero());
    assertThat(tookMillis).as("forwarding outlasted the output wait").isGreaterThan(1000);
    List<Long> gaps = new ArrayList<>();
    for (int i = 1; i < ticks.size(); i++) {
      gaps.add((ticks.get(i) - ticks.get(i - 1)) / 1_000_000);
    }
    assertThat(gaps)
        .as("ms between ticks")
        .isNotEmpty()
        .allSatisfy(g -> assertThat(g).isLessThan(1000));
  }

  /** The test's sink, with {@code beforeWrite} run before each write: a worker slow to forward. */
  private OutputSink delaying(Runnable beforeWrite) {
    return new OutputSink() {
      @Override
      public void write(byte[] buf, int off, int len) {
        beforeWrite.run();
        sink.write(buf, off, len);
      }

      @Override
      public void truncated(long keptBytes) {
        sink.truncated(keptBytes);
      }

      @Override
      public void finished(long totalBytes, long droppedBytes) {
        sink.finished(totalBytes, droppedBytes);
      }
    };
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
