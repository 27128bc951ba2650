package dev.kiln.activities.process;

import static dev.kiln.activities.process.ChildProcesses.groupMembers;
import static dev.kiln.activities.process.ChildProcesses.running;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker that crashed mid-build leaves its command's process group running. These groups are
 * started the way the runner starts them, but outside any runner, as a crashed worker would leave
 * them.
 */
class StaleProcessGroupTest {

  private static final Duration GRACE = Duration.ofMillis(500);

  @TempDir Path dir;

  private final List<Long> groups = new ArrayList<>();

  @AfterEach
  void reapSurvivors() {
    groups.forEach(ChildProcesses::killGroupQuietly);
  }

  @Test
  void killStaleGroupKillsAGroupLeftBehindByACrashedWorker() throws Exception {
    long pgid = orphanGroup("trap '' TERM; sleep 600 & sleep 600", 2);
    Path pidFile = dir.resolve("command.pid");
    PidFile.write(pidFile, PidFile.describe(pgid));

    assertThat(ProcessRunner.killStaleGroup(pidFile, GRACE)).isTrue();

    assertThat(groupMembers(pgid)).isEmpty();
    assertThat(pidFile).doesNotExist();
  }

  @Test
  void killStaleGroupKillsOrphansWhoseLeaderAlreadyDied() throws Exception {
    long pgid = orphanGroup("sleep 600 & wait", 2);
    Path pidFile = dir.resolve("command.pid");
    PidFile.write(pidFile, PidFile.describe(pgid));
    ProcessHandle.of(pgid).orElseThrow().destroyForcibly();
    await().until(() -> !running(pgid));

    assertThat(ProcessRunner.killStaleGroup(pidFile, GRACE)).isTrue();

    assertThat(groupMembers(pgid)).isEmpty();
  }

  @Test
  void killStaleGroupSparesAGroupWhoseLeaderIsAnotherProcessWithTheSamePid() throws Exception {
    long pgid = orphanGroup("sleep 600", 1);
    PidFile.GroupRecord recorded = PidFile.describe(pgid);
    Path pidFile = dir.resolve("command.pid");
    PidFile.write(
        pidFile, new PidFile.GroupRecord(pgid, recorded.leaderStartTicks() - 1, recorded.bootId()));

    assertThat(ProcessRunner.killStaleGroup(pidFile, GRACE)).isFalse();

    assertThat(running(pgid)).isTrue();
    assertThat(pidFile).as("stale file cleared").doesNotExist();
  }

  @Test
  void killStaleGroupSparesGroupsRecordedBeforeAReboot() throws Exception {
    long pgid = orphanGroup("sleep 600", 1);
    PidFile.GroupRecord recorded = PidFile.describe(pgid);
    Path pidFile = dir.resolve("command.pid");
    PidFile.write(
        pidFile, new PidFile.GroupRecord(pgid, recorded.leaderStartTicks(), "another-boot"));

    assertThat(ProcessRunner.killStaleGroup(pidFile, GRACE)).isFalse();

    assertThat(running(pgid)).isTrue();
  }

  @Test
  void killStaleGroupIgnoresAMissingPidFile() {
    assertThat(ProcessRunner.killStaleGroup(dir.resolve("none.pid"), GRACE)).isFalse();
  }

  @Test
  void killStaleGroupDeletesAGarbledPidFileWithoutKillingAnything() throws IOException {
    Path pidFile = Files.writeString(dir.resolve("command.pid"), "pgid=-1x\n");

    assertThat(ProcessRunner.killStaleGroup(pidFile, GRACE)).isFalse();

    assertThat(pidFile).doesNotExist();
  }

  @Test
  void pidFileNeverNamesTheWholeSystem() throws IOException {
    Path pidFile = Files.writeString(dir.resolve("command.pid"), "pgid=1\nstart=0\nboot=\n");

    assertThat(ProcessRunner.killStaleGroup(pidFile, GRACE)).isFalse();
  }

  /**
   * Starts {@code script} in a new session, as the runner does, and waits until {@code members}
   * processes run in its group. Returns the pgid.
   */
  private long orphanGroup(String script, int members) throws IOException {
    Process leader =
        new ProcessBuilder("setsid", "bash", "-c", script)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectErrorStream(true)
            .start();
    long pgid = leader.pid();
    groups.add(pgid);
    await().until(() -> groupMembers(pgid).size() >= members);
    return pgid;
  }
}
