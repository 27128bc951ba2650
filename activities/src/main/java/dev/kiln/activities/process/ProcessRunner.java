package dev.kiln.activities.process;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one command in its own process group and makes sure that, when {@link #run} returns, no
 * process of that group is left running.
 *
 * <ul>
 *   <li>The command runs as {@code setsid bash -eo pipefail -c <command>} with exactly the
 *       configured environment, stdin from {@code /dev/null}, stdout and stderr merged; or under a
 *       sandbox's {@link Launcher}, whose pid namespace is then what gets killed ({@link
 *       SandboxTree}).
 *   <li>Stdout and stderr go into a pipe drained by a small relay process ({@link OutputRelay}),
 *       which copies the output up to {@link ProcessConfig#maxOutputBytes()} into a spool file in
 *       the temp directory and past it only counts it. A pump thread follows the spool and forwards
 *       it to an {@link OutputSink}. The command never waits for Kiln's JVM (a GC pause, a loaded
 *       host), only for the relay, and the spool never holds more than the cap plus one byte,
 *       however fast the command writes: a command printing without end fills no disk. The spool is
 *       deleted when the command ends.
 *   <li>{@link #cancel} (any thread, idempotent, first reason wins) sends SIGTERM to the group,
 *       waits the grace period, then sends SIGKILL; an {@link CancelReason#immediate()} reason (a
 *       superseded attempt) gets no grace period. A timeout is a cancel with {@link
 *       CancelReason#TIMEOUT}.
 *   <li>Processes the command leaves behind in its group (background jobs) are killed the same way
 *       when the command exits, so they cannot hold the workspace or leak into the next build.
 * </ul>
 *
 * <p>A runner runs one command once. Typical use from an activity:
 *
 * <pre>{@code
 * ProcessRunner runner = new ProcessRunner(config, logSink);
 * ProcessExit exit = runner.run(() -> ctx.heartbeat(progress()), Duration.ofSeconds(5));
 * }</pre>
 */
public final class ProcessRunner {

  private static final Logger log = LoggerFactory.getLogger(ProcessRunner.class);

  /** How often {@link #run()} wakes up to check the timeout when there is no tick to call. */
  private static final Duration IDLE_TICK = Duration.ofSeconds(1);

  /** setsid(2) runs within milliseconds of the fork; seconds mean something is badly wrong. */
  private static final Duration GROUP_START_WAIT = Duration.ofSeconds(5);

  /** At most this long to forward a finished command's spool (at most the cap, 64 MiB) on. */
  private static final Duration DRAIN_LIMIT = Duration.ofMinutes(5);

  private static final long POLL_NANOS = Duration.ofMillis(1).toNanos();

  private final ProcessConfig config;
  private final OutputSink sink;
  private final KillObserver killObserver;
  private final AtomicBoolean ran = new AtomicBoolean();
  private final AtomicBoolean killing = new AtomicBoolean();
  private final CompletableFuture<Long> started = new CompletableFuture<>();
  private final CompletableFuture<Void> groupGone = new CompletableFuture<>();
  private final CompletableFuture<ProcessExit> done = new CompletableFuture<>();

  private final Object lock = new Object();
  private CancelReason cancelReason; // guarded by lock
  private ProcessTree group; // guarded by lock
  private boolean mainExited; // guarded by lock
  private Path spool; // set before the command starts
  private OutputRelay relay; // started with the command

  /** A runner for {@code config} that sends the command's output to {@code sink}. */
  public ProcessRunner(ProcessConfig config, OutputSink sink) {
    this(config, sink, KillObserver.NONE);
  }

  /**
   * A runner for {@code config} that sends the command's output to {@code sink} and tells {@code
   * killObserver} how the group is killed when it is (cancel, timeout, processes left behind).
   */
  public ProcessRunner(ProcessConfig config, OutputSink sink, KillObserver killObserver) {
    this.config = Objects.requireNonNull(config, "config");
    this.sink = Objects.requireNonNull(sink, "sink");
    this.killObserver = failSafe(Objects.requireNonNull(killObserver, "killObserver"));
  }

  /** An observer that fails must not stop the kill half-way: its failures are only logged. */
  private static KillObserver failSafe(KillObserver observer) {
    return new KillObserver() {
      @Override
      public void terminateSent(CancelReason reason) {
        quietly(() -> observer.terminateSent(reason));
      }

      @Override
      public void killSent(Duration grace) {
        quietly(() -> observer.killSent(grace));
      }

      @Override
      public void groupGone() {
        quietly(observer::groupGone);
      }

      private void quietly(Runnable call) {
        try {
          call.run();
        } catch (RuntimeException e) {
          log.warn("kill observer failed", e);
        }
      }
    };
  }

  /** Runs the command and blocks until it and its whole process group are gone. */
  public ProcessExit run() {
    return run(() -> {}, IDLE_TICK);
  }

  /**
   * Runs the command and blocks until it and its whole process group are gone, calling {@code tick}
   * every {@code tickInterval} meanwhile (the activity heartbeats from it).
   *
   * <p>If {@code tick} throws a {@link RuntimeException}, the group is killed ({@link
   * CancelReason#HEARTBEAT_FAILED} unless already cancelled) and, once it is gone, the exception is
   * rethrown. If the calling thread is interrupted, the group is killed with {@link
   * CancelReason#WORKER_SHUTDOWN}, the kill is waited for, and the interrupt flag is restored.
   *
   * @return how the command ended; {@link ProcessExit#NOT_STARTED} if cancelled before starting
   * @throws UncheckedIOException if the command cannot be started (missing workDir, no bash)
   * @throws IllegalStateException if this runner already ran
   */
  public ProcessExit run(Runnable tick, Duration tickInterval) {
    Objects.requireNonNull(tick, "tick");
    TickingWait waiting =
        new TickingWait(
            tick,
            tickInterval,
            () -> cancel(CancelReason.TIMEOUT),
            () -> cancel(CancelReason.WORKER_SHUTDOWN));
    if (!ran.compareAndSet(false, true)) {
      throw new IllegalStateException("a ProcessRunner runs one command once");
    }
    Process process = startOrFail();
    if (process == null) {
      return complete(
          new ProcessExit(ProcessExit.NOT_STARTED, false, cancelReason().orElse(null), 0));
    }
    try {
      return supervise(process, waiting);
    } finally {
      if (waiting.interrupted()) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private ProcessExit supervise(Process process, TickingWait waiting) {
    OutputPump pump;
    try {
      pump =
          OutputPump.following(new FileInputStream(spool.toFile()), sink, config.maxOutputBytes());
    } catch (IOException e) {
      // The file was made a moment ago; losing it now means the host is in trouble, not the build.
      log.error("cannot read the output spool {}; the command's output is lost", spool, e);
      pump = OutputPump.following(InputStream.nullInputStream(), sink, config.maxOutputBytes());
    }
    pump.start("kiln-output-" + process.pid());
    try {
      waiting.await(process.onExit(), config.timeout());
      killLeftovers();
      // No timeout here: the command is over, and the kill is bounded by the grace period.
      waiting.await(groupGone, null);
    } catch (RuntimeException tickFailure) {
      cancel(CancelReason.HEARTBEAT_FAILED);
      waiting.awaitTickingThroughFailures(groupGone);
      finishOutput(pump, waiting);
      done.completeExceptionally(tickFailure);
      throw tickFailure;
    }
    finishOutput(pump, waiting);
    CancelReason reason = cancelReason().orElse(null);
    return complete(
        new ProcessExit(
            process.exitValue(), reason == CancelReason.TIMEOUT, reason, pump.totalBytes()));
  }

  /**
   * Kills the command's process group: SIGTERM, up to {@link ProcessConfig#gracePeriod()} for it to
   * exit, then SIGKILL. Returns at once; {@link #run} returns when the group is gone. Safe from any
   * thread and idempotent: only the first reason is kept. Cancelling before {@link #run} means the
   * command never starts; cancelling after the command exited changes nothing.
   */
  public void cancel(CancelReason reason) {
    Objects.requireNonNull(reason, "reason");
    ProcessTree target;
    synchronized (lock) {
      if (cancelReason != null || mainExited) {
        return;
      }
      cancelReason = reason;
      target = group;
    }
    if (target == null) {
      log.info("command cancelled before it started: {}", reason);
      return;
    }
    log.info("killing {}: {}", target, reason);
    startKill(target);
  }

  /** The reason of the first {@link #cancel}, if any. */
  public Optional<CancelReason> cancelReason() {
    synchronized (lock) {
      return Optional.ofNullable(cancelReason);
    }
  }

  /** Completes with the process group id once the command runs in its own group. */
  public CompletableFuture<Long> started() {
    return started.copy();
  }

  /** Completes with what {@link #run} returns, or exceptionally with what it throws. */
  public CompletableFuture<ProcessExit> done() {
    return done.copy();
  }

  /**
   * Kills the process group recorded in {@code pidFile} by a worker that crashed or was killed
   * while a command ran, waiting the default grace period. Call it when a worker starts, before it
   * runs anything in that workspace.
   *
   * @return whether a group was still running (and has now been killed)
   * @see #killStaleGroup(Path, Duration)
   */
  public static boolean killStaleGroup(Path pidFile) {
    return killStaleGroup(pidFile, ProcessConfig.DEFAULT_GRACE_PERIOD);
  }

  /**
   * Kills the process group recorded in {@code pidFile} if it still runs: SIGTERM, {@code
   * gracePeriod}, SIGKILL. A group is only killed if it provably is the recorded one (same boot,
   * same leader start time), so an old file can never kill an unrelated group that reused the
   * number. The file is deleted unless the group survived.
   *
   * @return whether a group was still running (and has now been killed)
   */
  public static boolean killStaleGroup(Path pidFile, Duration gracePeriod) {
    return PidFile.killStaleGroup(pidFile, gracePeriod);
  }

  private Process startOrFail() {
    try {
      return start();
    } catch (IOException e) {
      UncheckedIOException failure =
          new UncheckedIOException("cannot start command in " + config.workDir(), e);
      done.completeExceptionally(failure);
      throw failure;
    }
  }

  // Under the lock so that a concurrent cancel() either prevents the start or sees the group.
  private Process start() throws IOException {
    synchronized (lock) {
      if (cancelReason != null) {
        return null;
      }
      List<String> commandLine = new ArrayList<>(config.launcher().prefix());
      commandLine.addAll(List.of("bash", "-eo", "pipefail", "-c", config.command()));
      ProcessBuilder builder =
          new ProcessBuilder(commandLine)
              .directory(config.workDir().toFile())
              .redirectErrorStream(true)
              // A build that reads stdin must see EOF, not wait forever on a pipe nobody writes.
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      builder.environment().clear();
      builder.environment().putAll(config.env());
      spool = Files.createTempFile("kiln-output-", ".log");
      Process process;
      try {
        // One more byte than the cap: the pump tells a cut output from one exactly at the cap.
        long spooled = Math.max(config.maxOutputBytes(), config.maxOutputBytes() + 1);
        List<Process> pipeline =
            ProcessBuilder.startPipeline(
                List.of(builder, OutputRelay.builder(config.launcher(), spool, spooled)));
        process = pipeline.get(0);
        relay = OutputRelay.of(pipeline.get(1));
      } catch (IOException e) {
        deleteSpool();
        throw e;
      }
      group =
          config.launcher().pidNamespace()
              ? new SandboxTree(process.pid())
              : new ProcessGroup(process.pid());
      awaitOwnGroup(process);
      writePidFile(group);
      started.complete(group.pgid());
      log.debug("started {} in {}", group, config.workDir());
      return process;
    }
  }

  /**
   * A JVM child is not a group leader, so setsid execs in place and pid == pgid. But until it has
   * called setsid(2) the child is still in the worker's group, and a kill sent then would miss it,
   * so wait for the switch. (Without /proc there is no way to tell; go ahead.)
   */
  private static void awaitOwnGroup(Process process) {
    long deadline = System.nanoTime() + GROUP_START_WAIT.toNanos();
    while (ProcStat.available() && System.nanoTime() - deadline < 0) {
      Optional<ProcStat> stat = ProcStat.read(process.pid());
      if (stat.isEmpty() || stat.get().zombie() || stat.get().pgid() == process.pid()) {
        return;
      }
      // Poll gently: on a busy host the child needs the CPU to get there.
      LockSupport.parkNanos(POLL_NANOS);
    }
    log.warn(
        "process {} did not become a process group leader within {}",
        process.pid(),
        GROUP_START_WAIT);
  }

  private void writePidFile(ProcessTree started) {
    if (config.pidFile() == null) {
      return;
    }
    try {
      PidFile.write(config.pidFile(), PidFile.describe(started.pgid()));
    } catch (IOException e) {
      // Not fatal: the command runs fine; only a worker crash during it would leave it orphaned.
      log.warn("cannot record {} in {}: {}", started, config.pidFile(), e.toString());
    }
  }

  /** After the command exited: its group may still hold background jobs; kill them too. */
  private void killLeftovers() {
    ProcessTree exited;
    synchronized (lock) {
      mainExited = true;
      exited = group;
    }
    if (killing.get()) {
      return;
    }
    if (exited.isAlive()) {
      log.info("command exited but left processes running in {}; killing them", exited);
      startKill(exited);
    } else {
      groupGone.complete(null);
    }
  }

  // A separate thread, so that run() keeps ticking (heartbeating) through the grace period. It is
  // not a daemon: a JVM that exits normally should still finish killing the group.
  private void startKill(ProcessTree target) {
    if (!killing.compareAndSet(false, true)) {
      return;
    }
    CancelReason reason = cancelReason().orElse(null);
    Duration grace = reason != null && reason.immediate() ? Duration.ZERO : config.gracePeriod();
    Thread killer =
        new Thread(
            () -> {
              try {
                target.terminate(grace, reason, killObserver);
              } catch (RuntimeException e) {
                log.error("cannot kill {}", target, e);
              } finally {
                groupGone.complete(null);
              }
            },
            "kiln-kill-" + target.pgid());
    killer.start();
  }

  /**
   * Stops reading output once the group is gone: the relay sees the end of the output, the spool is
   * read to its end, then deleted. A process that escaped the group (setsid, a daemonizing tool)
   * may still hold the output open, and waiting for it would hang the build after the command
   * finished. As buildkite's waitDelay does, wait for a bounded time, then give up on it.
   */
  private void finishOutput(OutputPump pump, TickingWait waiting) {
    OptionalLong pastCap = relay.awaitBytesPastLimit(config.outputWaitDelay());
    if (pastCap.isPresent()) {
      pump.addUnspooledBytes(pastCap.getAsLong());
    } else {
      log.warn(
          "output of {} still open {} after the group exited: a process outside the group holds"
              + " it; not waiting for it",
          group,
          config.outputWaitDelay());
      relay.kill();
    }
    // The relay is gone, so the spool is complete and at most the cap long: all of it is read and
    // forwarded, heartbeating meanwhile. A short bound here once dropped the end of a 64 MiB log
    // on a loaded host, and a wait without ticks let Temporal think the host lost. The generous
    // bound is for a sink that never returns, which would otherwise hold the activity forever.
    CompletableFuture<Void> drained = pump.drainToEnd();
    waiting.awaitTickingThroughFailures(
        drained.copy().orTimeout(DRAIN_LIMIT.toMillis(), TimeUnit.MILLISECONDS));
    if (!drained.isDone()) {
      log.warn("the output spool {} was not forwarded to its end within {}", spool, DRAIN_LIMIT);
    }
    pump.close(Duration.ZERO);
    if (config.pidFile() != null && !group.isAlive()) {
      PidFile.delete(config.pidFile());
    }
    deleteSpool();
  }

  private void deleteSpool() {
    try {
      Files.deleteIfExists(spool);
    } catch (IOException e) {
      log.warn("cannot delete the output spool {}: {}", spool, e.toString());
    }
  }

  private ProcessExit complete(ProcessExit exit) {
    done.complete(exit);
    log.debug("command finished: {}", exit.describe());
    return exit;
  }
}
