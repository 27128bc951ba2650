package dev.kiln.activities.build;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.activities.BuildHost;
import dev.kiln.activities.capacity.BuildSlots;
import dev.kiln.activities.capacity.BuildSlots.Reservation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The janitor over real directories in a KILN_HOME, with the host's real build slots. */
class WorkspaceJanitorTest {

  @TempDir Path home;
  Path runs;
  BuildHost host;
  BuildSlots slots;
  WorkspaceJanitor janitor;

  @BeforeEach
  void setUp() throws Exception {
    runs = Files.createDirectories(home.resolve("work/runs"));
    host = new BuildHost("h", "kiln-host-h-1", home, Duration.ofSeconds(1), 1);
    slots = new BuildSlots(1, Duration.ofMinutes(10), Clock.systemUTC(), () -> true);
    janitor = new WorkspaceJanitor(host, slots);
  }

  @Test
  void atStartEveryWorkspaceOfAPreviousLifeIsRemovedEvenOneMadeHostileToDeletion()
      throws Exception {
    Path crashed = workspace("89-1");
    Path locked = Files.createDirectories(workspace("90-2").resolve("pkg/mod"));
    Files.writeString(locked.resolve("go.mod"), "module x\n");
    Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("r-xr-xr-x"));

    int removed = janitor.removeLeftoversAtStart();

    assertThat(removed).isEqualTo(2);
    assertThat(crashed).doesNotExist();
    assertThat(runs).isEmptyDirectory();
  }

  @Test
  void aLeasedRunKeepsItsWorkspaceAndLosesAnOlderAttemptsOne() throws Exception {
    Path stale = workspace("7-1");
    Path current = lease(7, "7-2");

    janitor.sweep(List.of());

    assertThat(current).exists();
    assertThat(stale).doesNotExist();
    assertThat(slots.busy()).isEqualTo(1);
  }

  @Test
  void aWorkspaceBeingMadeByAFetchUnderWayIsLeftAlone() throws Exception {
    Reservation fetch = slots.reserve().join();
    slots.markUsed(fetch, "kiln-run-8");
    Path making = workspace("8-1");

    janitor.sweep(List.of());

    assertThat(making).exists();
  }

  @Test
  void aRunTheLedgerSaysEndedFreesItsSlotAndItsWorkspaceGoes() throws Exception {
    Path workspace = lease(9, "9-1");
    CompletableFuture<Reservation> nextPoll = slots.reserve();
    assertThat(nextPoll).as("the only slot is held").isNotDone();

    janitor.sweep(List.of("kiln-run-9"));

    assertThat(workspace).doesNotExist();
    assertThat(nextPoll).as("the next poll gets the slot").isCompleted();
  }

  @Test
  void aRunThatEndedWhileItsCommandsStillRunKeepsItsWorkspaceUntilTheyAreGone() throws Exception {
    Path workspace = lease(10, "10-1");
    slots.enter("kiln-run-10");

    janitor.sweep(List.of("kiln-run-10"));

    assertThat(workspace).exists();
    assertThat(slots.busy()).isEqualTo(1);

    slots.exit("kiln-run-10");
    janitor.sweep(List.of("kiln-run-10"));

    assertThat(workspace).doesNotExist();
    assertThat(slots.busy()).isZero();
  }

  @Test
  void theReportNamesTheLeasedRunsOnly() throws Exception {
    slots = new BuildSlots(2, Duration.ofMinutes(10), Clock.systemUTC(), () -> true);
    janitor = new WorkspaceJanitor(host, slots);
    lease(11, "11-1");
    slots.markUsed(slots.reserve().join(), "kiln-run-12");

    assertThat(janitor.leasedRunIds()).containsExactly(11L);
  }

  @Test
  void expiredLeasesLoseTheirWorkspaces() throws Exception {
    Path workspace = workspace("13-1");

    janitor.removeExpired(List.of(workspace));

    assertThat(workspace).doesNotExist();
  }

  @Test
  void aKilnHomeSharedWithAnotherLiveWorkerIsLeftAlone() throws Exception {
    PidDirectories.own(new BuildHost("h2", "kiln-host-h2-1", home, Duration.ofSeconds(1), 1));
    Path theirs = workspace("14-1");

    janitor.removeLeftoversAtStart();
    janitor.sweep(List.of());

    assertThat(theirs).exists();
  }

  @Test
  void aDirectoryThatIsNoWorkspaceIsNoRunsAndStillGoes() throws Exception {
    Path stray = workspace("not-a-run");

    janitor.sweep(List.of());

    assertThat(stray).doesNotExist();
  }

  private Path workspace(String name) throws Exception {
    return Files.createDirectories(runs.resolve(name));
  }

  /** What fetch does: the poll's reservation becomes the run's lease on the workspace it made. */
  private Path lease(long runId, String name) throws Exception {
    String runKey = "kiln-run-" + runId;
    Reservation fetch = slots.reserve().join();
    slots.markUsed(fetch, runKey);
    Path workspace = workspace(name);
    slots.keep(runKey, workspace);
    slots.release(fetch);
    return workspace;
  }
}
