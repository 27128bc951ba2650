package dev.kiln.activities.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.activities.BuildHost;
import dev.kiln.activities.RunAttempt;
import dev.kiln.activities.logs.StepLog;
import dev.kiln.activities.process.CancelReason;
import dev.kiln.activities.secrets.StepSecrets;
import dev.kiln.workflows.activities.RunContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A command run on this host, with real processes, stopped between two heartbeats. */
class CommandRunnerTest {

  @TempDir Path home;
  final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void tearDown() {
    timer.shutdownNow();
  }

  /** Beats that never stop anything: only a cancel between beats can end the command early. */
  static final class CancelBetweenBeats implements CommandRunner.Heartbeat {
    final AtomicReference<Consumer<CancelReason>> cancel = new AtomicReference<>();
    volatile boolean registrationClosed;

    @Override
    public void beat(Consumer<CancelReason> ignored) {}

    @Override
    public RunAttempt.Registration onCancel(Consumer<CancelReason> cancel) {
      this.cancel.set(cancel);
      return () -> registrationClosed = true;
    }
  }

  @Test
  void aCancelKnownBetweenTwoBeatsStopsTheCommandWithoutWaitingForTheNextBeat() throws Exception {
    Path workspace = Files.createDirectories(home.resolve("work/runs/5-1"));
    BuildHost host = new BuildHost("host-a", "kiln-host-host-a-1", home, Duration.ofSeconds(2), 2);
    CommandRunner runner = new CommandRunner(host, StepReporter.NONE);
    RunAttempt attempt = new RunAttempt(5, 1);
    RunContext run = new RunContext(5, "file:///r.git", "abc", "x86_64", null, List.of(), 1);
    CommandRunner.Command command =
        new CommandRunner.Command(
            "compile",
            0,
            "touch started; sleep 300",
            Duration.ofMinutes(10),
            Map.of(),
            null,
            StepSecrets.NONE);
    CancelBetweenBeats heartbeat = new CancelBetweenBeats();

    try (StepLog log =
        new StepLog(
            attempt,
            0,
            (a, chunk) -> true,
            timer,
            Duration.ofSeconds(1),
            1 << 16,
            Clock.systemUTC())) {
      CompletableFuture<CommandRunner.Outcome> outcome =
          CompletableFuture.supplyAsync(
              () -> runner.run(attempt, run, workspace, command, log, heartbeat));
      await().until(() -> Files.exists(workspace.resolve("started")));

      heartbeat.cancel.get().accept(CancelReason.WORKFLOW_CANCELLED);

      CommandRunner.Outcome ended = outcome.get(30, TimeUnit.SECONDS);
      assertThat(ended.exit().cancelReason()).isEqualTo(CancelReason.WORKFLOW_CANCELLED);
      assertThat(heartbeat.registrationClosed).isTrue();
    }
  }
}
