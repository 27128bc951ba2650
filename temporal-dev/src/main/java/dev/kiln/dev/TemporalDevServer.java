package dev.kiln.dev;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Temporal server, run as a child process by the CLI: {@code temporal server start-dev} with
 * a SQLite file (runs survive a restart), the Web UI, Kiln's search attributes and the dynamic
 * config Kiln relies on. Its output goes to a log file, not the console.
 */
final class TemporalDevServer implements TemporalService {

  private static final Logger log = LoggerFactory.getLogger(TemporalDevServer.class);

  /** Loopback only: the dev server has no authentication. */
  static final String IP = "127.0.0.1";

  /** A warm start takes under a second; a first start creates the SQLite schema. */
  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

  /** The server flushes SQLite on SIGTERM; it took ~3 s here. */
  private static final Duration STOP_GRACE = Duration.ofSeconds(20);

  /** Values are JSON. */
  static final Map<String, String> DYNAMIC_CONFIG = dynamicConfig();

  private static Map<String, String> dynamicConfig() {
    Map<String, String> config = new LinkedHashMap<>();
    // Priority keys (low..urgent) only order tasks with the priority-aware matcher. Server 1.31 and
    // later (the CLI 1.9.1 the stack installs runs 1.32) use it by default; 1.29 and 1.30, which an
    // older CLI on PATH or the go-installed 1.5.1 runs, need it turned on.
    config.put("matching.useNewMatcher", "true");
    // ... and only within one partition of a task queue: with the default four (still the default
    // in 1.32), a poll served from one partition hands out its best task while a more urgent one
    // waits in another. A dev stack's queues are small; one partition each makes priority exact.
    config.put("matching.numTaskqueueReadPartitions", "1");
    config.put("matching.numTaskqueueWritePartitions", "1");
    // Fair queues: within a priority key, tasks are handed out by stride scheduling over their
    // fairness keys (a run's repository), so one repository's hundred queued builds do not starve
    // another's one. Off by default (1.32 included). From 1.30 on, a backlog queued before it was
    // turned on is drained from the old tables; 1.29 leaves such a backlog where it is, so a stack
    // on 1.29 turns it on from a database without queued runs.
    config.put("matching.enableFairness", "true");
    // On by default from server 1.32 only.
    config.put("system.enableActivityEagerExecution", "true");
    // The history service reads its transfer queue (every workflow task and activity task to hand
    // to matching, every signal, cancel and child start between workflows) at most 20 times a
    // second by default: each such hop waited for the next 50 ms tick, and a supersede takes about
    // eight of them in a row (lane signal, cancel, the child's end, the next child's start and
    // their workflow tasks). A read only follows new tasks, so the cost stays bounded by the work.
    config.put("history.transferProcessorMaxPollRPS", "1000");
    // Update-with-start (POST /rebuild) is on by default from 1.29 on, the oldest server Kiln
    // accepts; 1.30 removed its frontend.enableExecuteMultiOperation switch altogether.
    return Collections.unmodifiableMap(config);
  }

  /**
   * @param cli the {@code temporal} executable
   * @param dbFile the SQLite database
   * @param port gRPC port
   * @param uiPort Web UI port
   * @param logFile where the server's output is appended
   * @param pidFile where the server's pid is kept while it runs
   */
  record Options(Path cli, Path dbFile, int port, int uiPort, Path logFile, Path pidFile) {}

  private final Options options;
  private final AtomicBoolean stopping = new AtomicBoolean();

  /** The running incarnation: a restart replaces it. */
  private volatile Process process;

  /** Where this incarnation's output begins in the log file. */
  private volatile long logOffset;

  private TemporalDevServer(Options options, Process process, long logOffset) {
    this.options = options;
    this.process = process;
    this.logOffset = logOffset;
  }

  /**
   * Starts the server process; {@link #awaitReady} waits until it serves. Split in two so the
   * caller can register the process for shutdown before waiting on it.
   */
  static TemporalDevServer launch(Options options) {
    LeftoverProcess.endRecorded(options.pidFile(), "temporal", "Temporal dev server");
    requirePortsFree(options);
    long logOffset = logSize(options);
    return new TemporalDevServer(options, startProcess(options), logOffset);
  }

  private static void requirePortsFree(Options options) {
    Ports.requireFree(IP, options.port(), "Temporal gRPC", DevStackConfig.TEMPORAL_PORT.env());
    Ports.requireFree(
        IP, options.uiPort(), "Temporal Web UI", DevStackConfig.TEMPORAL_UI_PORT.env());
  }

  private static long logSize(Options options) {
    try {
      return Files.exists(options.logFile()) ? Files.size(options.logFile()) : 0;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + options.logFile(), e);
    }
  }

  private static Process startProcess(Options options) {
    try {
      Files.createDirectories(options.logFile().getParent());
      List<String> command = new ArrayList<>(ownSession());
      command.addAll(command(options));
      log.info(
          "Starting Temporal dev server: {} (log: {})",
          String.join(" ", command(options)),
          options.logFile());
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(options.logFile().toFile()));
      builder
          .environment()
          .putAll(goRuntime(builder.environment(), Runtime.getRuntime().availableProcessors()));
      Process process = builder.start();
      process.getOutputStream().close();
      Files.writeString(options.pidFile(), Long.toString(process.pid()), StandardCharsets.US_ASCII);
      return process;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start " + options.cli(), e);
    }
  }

  /**
   * A write-ahead log, synced at checkpoints rather than at every commit: every workflow task,
   * signal and activity result is a commit, and with SQLite's default rollback journal each one
   * waited for the disk (a burst of 200 rebuilds took 0.6 s per request in the server alone). A
   * crash of the process loses nothing; a power cut may lose the last commits of a dev stack.
   */
  static final List<String> SQLITE_PRAGMAS =
      List.of("--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal");

  /**
   * Go's garbage collector starts a cycle each time the heap has grown by {@code GOGC} percent
   * since the last one, 100 by default. The dev server's live heap is small and most of what it
   * allocates for a workflow task is garbage at once, so at 100 it collected many times per build;
   * at 400 it collects a quarter as often, for a heap that may grow to five times its live size
   * instead of twice.
   */
  static final String GO_GC_PERCENT = "400";

  /**
   * What the server's environment adds to the one it inherits: fewer garbage collections ({@link
   * #GO_GC_PERCENT}), and Go code on at most half the machine's cores ({@code GOMAXPROCS}, all of
   * them by default). The dev server shares the machine with the builds, and wakes for a moment at
   * each of a run's tasks: with a processor idle, the Go scheduler spins looking for more work
   * after each wake-up, on a core a compiler could use. Both together took about 25 ms off the
   * server's CPU during a zlib build (docs/operations.md), the dispatch unchanged. A value the user
   * set is kept.
   */
  static Map<String, String> goRuntime(Map<String, String> inherited, int cores) {
    Map<String, String> added = new LinkedHashMap<>();
    if (!inherited.containsKey("GOGC")) {
      added.put("GOGC", GO_GC_PERCENT);
    }
    if (!inherited.containsKey("GOMAXPROCS")) {
      added.put("GOMAXPROCS", Integer.toString(Math.max(1, cores / 2)));
    }
    return added;
  }

  /** The CLI's arguments. */
  static List<String> command(Options options) {
    List<String> command =
        new ArrayList<>(
            List.of(
                options.cli().toString(),
                "server",
                "start-dev",
                "--db-filename",
                options.dbFile().toString(),
                "--ip",
                IP,
                "--port",
                Integer.toString(options.port()),
                "--ui-port",
                Integer.toString(options.uiPort()),
                "--color",
                "never"));
    command.addAll(SQLITE_PRAGMAS);
    command.addAll(SearchAttributeRegistration.cliFlags());
    DYNAMIC_CONFIG.forEach(
        (key, json) -> {
          command.add("--dynamic-config-value");
          command.add(key + "=" + json);
        });
    return command;
  }

  /**
   * Ctrl-C sends SIGINT to the terminal's whole foreground process group. In a session of its own
   * the server does not get it, so the shutdown hook can stop it last, after the worker and the api
   * that still talk to it. A server left behind by a SIGKILL-ed JVM is ended at the next start
   * ({@link LeftoverProcess}).
   */
  private static List<String> ownSession() {
    return Arrays.stream(new String[] {"/usr/bin/setsid", "/bin/setsid"})
        .map(Path::of)
        .filter(Files::isExecutable)
        .findFirst()
        .map(p -> List.of(p.toString()))
        .orElse(List.of());
  }

  @Override
  public void awaitReady() {
    awaitServing(process);
    SearchAttributeRegistration.ensure(address(), NAMESPACE);
  }

  private void awaitServing(Process incarnation) {
    TemporalProbe.awaitNamespace(
        address(),
        NAMESPACE,
        STARTUP_TIMEOUT,
        () -> {
          if (incarnation.waitFor(100, TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(
                "The Temporal dev server exited with code "
                    + incarnation.exitValue()
                    + " while starting. Its output ("
                    + options.logFile()
                    + "):\n"
                    + outputSinceLaunch());
          }
        });
  }

  private static final int TAIL_LINES = 30;

  @Override
  public Optional<SupervisedChild> supervised() {
    return Optional.of(new Supervised());
  }

  /** What the stack's {@link ChildSupervisor} watches and restarts. */
  private final class Supervised implements SupervisedChild {

    @Override
    public String name() {
      return "the Temporal dev server";
    }

    @Override
    public CompletableFuture<String> exited() {
      Process incarnation = process;
      return incarnation
          .onExit()
          .thenApply(p -> ExitStatus.describe(p.exitValue()) + ", pid " + p.pid());
    }

    @Override
    public void restart() {
      relaunch();
    }

    @Override
    public String recentOutput() {
      return outputSinceLaunch();
    }
  }

  /**
   * A new server process on the same SQLite file and ports, once the last one has died; returns
   * when it serves. Synchronized with {@link #close}: a stop waits for a restart under way, and no
   * restart starts after a stop.
   */
  private synchronized void relaunch() {
    if (stopping.get()) {
      throw new IllegalStateException("the dev stack is stopping");
    }
    Process previous = process;
    if (previous.isAlive()) {
      LeftoverProcess.end(previous.toHandle());
    }
    requirePortsFree(options);
    logOffset = logSize(options);
    Process incarnation = startProcess(options);
    process = incarnation;
    try {
      awaitServing(incarnation);
    } catch (RuntimeException e) {
      if (incarnation.isAlive()) {
        LeftoverProcess.end(incarnation.toHandle());
      }
      throw e;
    }
  }

  @Override
  public String address() {
    return IP + ":" + options.port();
  }

  @Override
  public Optional<String> uiUrl() {
    return Optional.of("http://localhost:" + options.uiPort());
  }

  @Override
  public String description() {
    return "Temporal dev server on " + address() + ", runs kept in " + options.dbFile();
  }

  long pid() {
    return process.pid();
  }

  @Override
  public synchronized void close() {
    if (!stopping.compareAndSet(false, true)) {
      return;
    }
    Process current = process;
    if (current.isAlive()) {
      log.debug("Stopping the Temporal dev server (pid {})", current.pid());
      LeftoverProcess.end(current.toHandle());
      try {
        // Reaps the child, so no zombie is left either.
        if (!current.waitFor(STOP_GRACE.toSeconds(), TimeUnit.SECONDS)) {
          log.warn("The Temporal dev server (pid {}) did not exit", current.pid());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try {
      Files.deleteIfExists(options.pidFile());
    } catch (IOException e) {
      log.debug("Could not delete {}: {}", options.pidFile(), e.toString());
    }
  }

  /** The last lines the server wrote since this launch, for error messages. */
  private String outputSinceLaunch() {
    try (RandomAccessFile file = new RandomAccessFile(options.logFile().toFile(), "r")) {
      long start = Math.max(logOffset, file.length() - 65536);
      byte[] bytes = new byte[(int) (file.length() - start)];
      file.seek(start);
      file.readFully(bytes);
      return excerpt(new String(bytes, StandardCharsets.UTF_8).lines().toList()).stream()
          .map(line -> "  | " + line)
          .collect(Collectors.joining("\n"));
    } catch (IOException e) {
      return "  (cannot read " + options.logFile() + ": " + e.getMessage() + ")";
    }
  }

  /**
   * The lines that explain an exit: the last 30, and before them, when the server died of a Go
   * panic, the panic's own message, which its goroutine dump would push out of the last 30.
   */
  static List<String> excerpt(List<String> lines) {
    List<String> last = lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size());
    int panic = -1;
    for (int i = 0; i < lines.size() - TAIL_LINES && panic < 0; i++) {
      if (lines.get(i).startsWith("panic:") || lines.get(i).startsWith("fatal error:")) {
        panic = i;
      }
    }
    if (panic < 0) {
      return last;
    }
    List<String> shown =
        new ArrayList<>(lines.subList(panic, Math.min(panic + 3, lines.size() - TAIL_LINES)));
    shown.add("…");
    shown.addAll(last);
    return shown;
  }
}
