package dev.kiln.activities.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.activities.BuildHost;
import dev.kiln.activities.process.CancelReason;
import dev.kiln.activities.process.OutputSink;
import dev.kiln.activities.process.ProcessConfig;
import dev.kiln.activities.process.ProcessExit;
import dev.kiln.activities.process.ProcessRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PidDirectoriesTest {

  @TempDir Path home;

  @Test
  void aStartingWorkerKillsTheGroupsOfAWorkerThatDied() throws Exception {
    Path dead = Files.createDirectories(home.resolve("work/pids/kiln-host-h-dead"));
    Files.writeString(dead.resolve("owner"), "999999999 1");
    ProcessRunner runner = sleeper(dead.resolve("run-1.pgid"));
    CompletableFuture<ProcessExit> running = CompletableFuture.supplyAsync(runner::run);
    await().until(() -> Files.exists(dead.resolve("run-1.pgid")));

    int killed = PidDirectories.reapDeadOwners(host("kiln-host-h-new"));

    assertThat(killed).isEqualTo(1);
    assertThat(running.get(10, TimeUnit.SECONDS).succeeded()).isFalse();
    assertThat(dead).doesNotExist();
  }

  @Test
  void aStartingWorkerSparesTheBuildsOfAWorkerThatStillRuns() throws Exception {
    BuildHost neighbour = host("kiln-host-h-neighbour");
    Path live = PidDirectories.own(neighbour);
    ProcessRunner runner = sleeper(live.resolve("run-2.pgid"));
    CompletableFuture<ProcessExit> running = CompletableFuture.supplyAsync(runner::run);
    await().until(() -> Files.exists(live.resolve("run-2.pgid")));

    int killed = PidDirectories.reapDeadOwners(host("kiln-host-h-new"));

    assertThat(killed).isZero();
    assertThat(running).isNotDone();
    runner.cancel(CancelReason.WORKFLOW_CANCELLED);
    running.get(10, TimeUnit.SECONDS);
  }

  private BuildHost host(String queue) {
    return new BuildHost("h", queue, home, Duration.ofSeconds(1), 1);
  }

  private ProcessRunner sleeper(Path pidFile) {
    ProcessConfig config =
        ProcessConfig.of(
                "sleep 300", home, Map.of("PATH", System.getenv("PATH")), Duration.ofMinutes(5))
            .withGracePeriod(Duration.ofSeconds(1))
            .withPidFile(pidFile);
    return new ProcessRunner(config, OutputSink.discard());
  }
}
