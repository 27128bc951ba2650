package dev.kiln.activities.process;

import static dev.kiln.activities.process.ChildProcesses.fakeTool;
import static dev.kiln.activities.process.ChildProcesses.groupMembers;
import static dev.kiln.activities.process.ChildProcesses.number;
import static dev.kiln.activities.process.ChildProcesses.running;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cancel, timeout, heartbeat failure and leftovers: the whole group must die, every time. */
class ProcessRunnerCancellationTest {

  private static final Duration GRACE = Duration.ofSeconds(1);

  /** Slack on top of the grace period: JVM start, polling, kill(1) round trips on a busy host. */
  private static final Duration SLACK = Duration.ofSeconds(2);

  /** A fake JVM tool can take a while to start on a loaded two-core machine. */
  private static final Duration STARTUP = Duration.ofSeconds(30);

  @TempDir Path workDir;

  private final RecordingSink sink = new RecordingSink();
  private final List<Long> groupsToReap = new CopyOnWriteArrayList<>();

  @AfterEach
  void reapSurvivors() {
    groupsToReap.forEach(ChildProcesses::killGroupQuietly);
  }

  @Test
  void cancelKillsSigtermIgnoringChildAndGrandchildAfterGracePeriod() throws Exception {
    ProcessRunner runner = new ProcessRunner(config(fakeTool("forks-grandchild")), sink);
    CompletableFuture<ProcessExit> exit = runInBackground(runner);
    awaitReady();
    long grandchild = number(sink.text(), "grandchild");
    long pgid = runner.started().get();

    long cancelledAt = System.nanoTime();
    runner.cancel(CancelReason.WORKFLOW_CANCELLED);
    ProcessExit result = exit.get(GRACE.plus(SLACK).toMillis(), TimeUnit.MILLISECONDS);
    Duration took = Duration.ofNanos(System.nanoTime() - cancelledAt);

    assertThat(took).as("SIGKILL only after the grace period").isGreaterThanOrEqualTo(GRACE);
    assertThat(result.exitCode()).as("killed by SIGKILL").isEqualTo(137);
    assertThat(result.cancelReason()).isEqualTo(CancelReason.WORKFLOW_CANCELLED);
    assertThat(result.timedOut()).isFalse();
    assertThat(running(grandchild)).as("grandchild running").isFalse();
    assertThat(groupMembers(pgid)).isEmpty();
  }

  @Test
  void theKillObserverHearsSigtermThenSigkillAfterTheGraceThenTheGroupGone() throws Exception {
    List<String> steps = new CopyOnWriteArrayList<>();
    ProcessRunner runner =
        new ProcessRunner(config(fakeTool("forks-grandchild")), sink, recording(steps));
    CompletableFuture<ProcessExit> exit = runInBackground(runner);
    awaitReady();

    runner.cancel(CancelReason.WORKFLOW_CANCELLED);
    exit.get(GRACE.plus(SLACK).toMillis(), TimeUnit.MILLISECONDS);

    assertThat(steps).containsExactly("TERM cancelled by the workflow", "KILL after PT1S", "gone");
  }

  @Test
  void theKillObserverHearsNoSigkillWhenSigtermSuffices() throws Exception {
    List<String> steps = new CopyOnWriteArrayList<>();
    ProcessConfig config = config("echo ready; sleep 600").withGracePeriod(Duration.ofSeconds(30));
    ProcessRunner runner = new ProcessRunner(config, sink, recording(steps));
    CompletableFuture<ProcessExit> exit = runInBackground(runner);
    awaitReady();

    runner.cancel(CancelReason.TIMEOUT);
    exit.get(10, TimeUnit.SECONDS);

    assertThat(steps).containsExactly("TERM exceeded its timeout", "gone");
  }

  @Test
  void theKillObserverHearsNoReasonWhenOnlyLeftoversAreKilled() {
    List<String> steps = new CopyOnWriteArrayList<>();
    ProcessRunner runner = new ProcessRunner(config("sleep 600 &"), sink, recording(steps));

    runner.run();

    assertThat(steps).containsExactly("TERM null", "gone");
  }

  @Test
  void aFailingKillObserverDoesNotStopTheKill() throws Exception {
    KillObserver broken =
        new KillObserver() {
          @Override
          public void terminateSent(CancelReason reason) {
            throw new IllegalStateException("log closed");
          }
        };
    ProcessRunner runner = new ProcessRunner(config(fakeTool("forks-grandchild")), sink, broken);
    CompletableFuture<ProcessExit> exit = runInBackground(runner);
    awaitReady();

    runner.cancel(CancelReason.WORKFLOW_CANCELLED);

    assertThat(exit.get(GRACE.plus(SLACK).toMillis(), TimeUnit.MILLISECONDS).exitCode())
        .isEqualTo(137);
    assertThat(groupMembers(runner.started().get())).isEmpty();
  }

  @Test
  void aHeartbeatThatReportsTheCancelKeepsBeatingThroughTheGracePeriod() throws Exception {
    // Temporal times out an activity whose heartbeat stops; the grace can outlast that timeout.
    ProcessConfig config =
        config("trap '' TERM; echo ready; sleep 600").withGracePeriod(Duration.ofSeconds(2));
    ProcessRunner runner = new ProcessRunner(config, sink);
    AtomicInteger beatsAfterCancel = new AtomicInteger();
    AtomicBoolean cancelled = new AtomicBoolean();
    Runnable heartbeat =
        () -> {
          if (cancelled.get()) {
            beatsAfterCancel.incrementAndGet();
            throw new IllegalStateException("cancel requested");
          }
        };
    CompletableFuture<ProcessExit> exit =
        CompletableFuture.supplyAsync(() -> runner.run(heartbeat, Duration.ofMillis(100)));
    awaitReady();

    cancelled.set(true);

    assertThatThrownBy(() -> exit.get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(IllegalStateException.class);
    assertThat(beatsAfterCancel.get())
        .as("beats over a 2 s grace at 100 ms")
        .isGreaterThanOrEqualTo(10);
    assertThat(groupMembers(runner.started().get())).isEmpty();
  }

  @Test
  void cancelStopsACooperativeCommandWithoutWaitingForTheGracePeriod() throws Exception {
    ProcessConfig config = config(fakeTool("slow")).withGracePeriod(Duration.ofSeconds(30));
    ProcessRunner runner = new ProcessRunner(config, sink);
    CompletableFuture<ProcessExit> exit = runInBackground(runner);
    awaitReady();

    runner.cancel(CancelReason.WORKFLOW_CANCELLED);
    ProcessExit result = exit.get(10, TimeUnit.SECONDS);

    assertThat(result.exitCode()).as("died of SIGTERM").isEqualTo(143);
    assertThat(result.describe()).isEqualTo("killed: cancelled by the workflow (exit code 143)");
  }

  @Test
  void cancelIsIdempotentAndKeepsTheFirstReason() throws Exception {
    ProcessRunner runner = new ProcessRunner(config("echo ready; sleep 600"), sink);
    CompletableFuture<ProcessExit> exit = runInBackground(runner);
    awaitReady();

    runner.cancel(CancelReason.WORKFLOW_CANCELLED);
    CompletableFuture.runAsync(() -> runner.cancel(CancelReason.WORKER_SHUTDOWN)).get();
    runner.cancel(CancelReason.TIMEOUT);

    assertThat(exit.get(10, TimeUnit.SECONDS).cancelReason())
        .isEqualTo(CancelReason.WORKFLOW_CANCELLED);
    assertThat(runner.cancelReason()).contains(CancelReason.WORKFLOW_CANCELLED);
  }

  @Test
  void cancelBeforeRunMeansTheCommandNeverStarts() {
    ProcessRunner runner = new ProcessRunner(config("touch started"), sink);

    runner.cancel(CancelReason.WORKER_SHUTDOWN);
    ProcessExit exit = runner.run();

    assertThat(exit.exitCode()).isEqualTo(ProcessExit.NOT_STARTED);
    assertThat(exit.cancelReason()).isEqualTo(CancelReason.WORKER_SHUTDOWN);
    assertThat(workDir.resolve("started")).doesNotExist();
    assertThat(runner.started()).isNotDone();
  }

  @Test
  void cancelAfterTheCommandExitedChangesNothing() {
    ProcessRunner runner = new ProcessRunner(config("exit 0"), sink);
    ProcessExit exit = runner.run();

    runner.cancel(CancelReason.WORKFLOW_CANCELLED);

    assertThat(exit.succeeded()).isTrue();
    assertThat(runner.cancelReason()).isEmpty();
  }

  @Test
  void timeoutKillsTheCommandAndReportsTimedOut() {
    ProcessConfig config =
        ProcessConfig.of("sleep 600", workDir, env(), Duration.ofMillis(500))
            .withGracePeriod(GRACE);

    long start = System.nanoTime();
    ProcessExit exit = new ProcessRunner(config, sink).run();

    assertThat(exit.timedOut()).isTrue();
    assertThat(exit.cancelReason()).isEqualTo(CancelReason.TIMEOUT);
    assertThat(exit.succeeded()).isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isLessThan(GRACE.plus(SLACK).plusMillis(500));
  }

  @Test
  void tickFailureKillsTheGroupAndIsRethrownOnceTheGroupIsGone() throws Exception {
    ProcessRunner runner = new ProcessRunner(config(fakeTool("ignores-sigterm")), sink);
    IllegalStateException heartbeatRejected = new IllegalStateException("activity cancelled");
    Runnable heartbeat =
        () -> {
          if (sink.text().contains("ready")) {
            throw heartbeatRejected;
          }
        };

    assertThatThrownBy(() -> runner.run(heartbeat, Duration.ofMillis(50)))
        .isSameAs(heartbeatRejected);

    long pgid = runner.started().get();
    assertThat(groupMembers(pgid)).as("group members when the exception surfaced").isEmpty();
    assertThat(runner.cancelReason()).contains(CancelReason.HEARTBEAT_FAILED);
    assertThat(runner.done()).isCompletedExceptionally();
  }

  @Test
  void interruptingTheRunningThreadKillsTheGroupAsWorkerShutdown() throws Exception {
    ProcessRunner runner = new ProcessRunner(config("echo ready; sleep 600"), sink);
    AtomicReference<ProcessExit> exit = new AtomicReference<>();
    AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
    Thread thread =
        new Thread(
            () -> {
              exit.set(runner.run());
              stillInterrupted.set(Thread.currentThread().isInterrupted());
            });
    thread.start();
    awaitReady();

    thread.interrupt();
    thread.join(GRACE.plus(SLACK).toMillis());

    assertThat(exit.get().cancelReason()).isEqualTo(CancelReason.WORKER_SHUTDOWN);
    assertThat(stillInterrupted.get()).as("interrupt flag restored").isTrue();
    assertThat(groupMembers(runner.started().get())).isEmpty();
  }

  @Test
  void backgroundJobsLeftBehindAreKilledWhenTheCommandExits() throws Exception {
    ProcessRunner runner =
        new ProcessRunner(config("trap '' TERM; sleep 600 & echo background=$!"), sink);

    ProcessExit exit = runner.run();

    assertThat(exit.succeeded()).as("the command's own result stands").isTrue();
    assertThat(running(number(sink.text(), "background"))).isFalse();
    assertThat(groupMembers(runner.started().get())).isEmpty();
  }

  @Test
  void runReturnsWhenAProcessThatLeftTheGroupKeepsStdoutOpen() throws Exception {
    ProcessConfig config =
        config("setsid sleep 600 & echo escaped=$!; echo main done")
            .withOutputWaitDelay(Duration.ofMillis(300));
    ProcessRunner runner = new ProcessRunner(config, sink);

    long start = System.nanoTime();
    ProcessExit exit = runner.run();
    long escaped = number(sink.text(), "escaped");
    groupsToReap.add(escaped);

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(SLACK.multipliedBy(2));
    assertThat(exit.succeeded()).isTrue();
    assertThat(sink.text()).contains("main done");
    assertThat(running(escaped)).as("the escaped process is outside our reach").isTrue();
    assertThat(sink.finishes()).hasSize(1);
  }

  @Test
  void pidFileRecordsTheGroupWhileRunningAndIsRemovedAfterwards() throws Exception {
    Path pidFile = workDir.resolve(".kiln/command.pid");
    ProcessRunner runner =
        new ProcessRunner(config("echo ready; sleep 600").withPidFile(pidFile), sink);
    CompletableFuture<ProcessExit> exit = runInBackground(runner);
    awaitReady();

    assertThat(Files.readString(pidFile)).contains("pgid=" + runner.started().get());
    runner.cancel(CancelReason.WORKFLOW_CANCELLED);
    exit.get(10, TimeUnit.SECONDS);

    assertThat(pidFile).doesNotExist();
  }

  private static KillObserver recording(List<String> steps) {
    return new KillObserver() {
      @Override
      public void terminateSent(CancelReason reason) {
        steps.add("TERM " + reason);
      }

      @Override
      public void killSent(Duration grace) {
        steps.add("KILL after " + grace);
      }

      @Override
      public void groupGone() {
        steps.add("gone");
      }
    };
  }

  private CompletableFuture<ProcessExit> runInBackground(ProcessRunner runner) {
    Thread thread = new Thread(runner::run, "test-run");
    thread.start();
    runner.started().thenAccept(groupsToReap::add);
    return runner.done();
  }

  private void awaitReady() {
    await().atMost(STARTUP).until(() -> sink.text().contains("ready"));
  }

  private ProcessConfig config(String command) {
    return ProcessConfig.of(command, workDir, env(), Duration.ofMinutes(5)).withGracePeriod(GRACE);
  }

  private static Map<String, String> env() {
    return BuildEnvironment.inherited(System.getenv());
  }
}
