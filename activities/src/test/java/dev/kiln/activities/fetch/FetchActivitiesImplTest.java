package dev.kiln.activities.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kiln.activities.BuildHost;
import dev.kiln.activities.QuietStart;
import dev.kiln.activities.capacity.BuildSlots;
import dev.kiln.activities.logs.LogUploader;
import dev.kiln.activities.logs.StepLogs;
import dev.kiln.workflows.FailureTypes;
import dev.kiln.workflows.LogChunk;
import dev.kiln.workflows.activities.FetchActivities;
import dev.kiln.workflows.activities.FetchRequest;
import dev.kiln.workflows.activities.FetchResult;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FetchActivitiesImplTest {

  @TempDir Path temp;
  final List<LogChunk> log = new CopyOnWriteArrayList<>();
  StepLogs logs;
  TestActivityEnvironment env;
  FetchActivities activities;
  BuildHost host;
  BuildSlots slots;
  RemoteAccess remotes;
  final List<Long> fetchStarts = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() {
    logs =
        new StepLogs(
            new LogUploader(
                (runId, chunks) -> {
                  log.addAll(chunks);
                  return true;
                },
                1 << 20),
            Clock.systemUTC());
    host =
        new BuildHost(
            "host-a", "kiln-host-host-a-1", temp.resolve("home"), Duration.ofSeconds(1), 2);
    env = TestActivityEnvironment.newInstance();
    slots = new BuildSlots(1, Duration.ofMinutes(10), Clock.systemUTC(), () -> true);
    remotes =
        RemoteAccess.of(
            TestPolicies.localAndLoopback(), RepositoryCredentials.none(), Duration.ofSeconds(20));
    GitFetcher fetcher =
        new GitFetcher(temp.resolve("home"), TestPolicies.localAndLoopback(), remotes);
    env.registerActivitiesImplementations(
        new FetchActivitiesImpl(host, logs, slots, a -> fetchStarts.add(a.runId()), fetcher));
    activities = env.newActivityStub(FetchActivities.class);
  }

  @AfterEach
  void tearDown() {
    env.close();
    logs.close();
    remotes.close();
  }

  @Test
  void fetchChecksOutTheRefOnThisHostAndReturnsItsQueueAndPlan() throws Exception {
    String repo = repository("Makefile", "all:\n\techo ok\n\ntest:\n\techo tested\n");

    FetchResult result =
        activities.fetch(new FetchRequest(9, repo, "main", "x86_64", 1_000_000, 1));

    assertThat(result.hostQueue()).isEqualTo("kiln-host-host-a-1");
    assertThat(result.host()).isEqualTo("host-a");
    assertThat(result.sha()).hasSize(40);
    assertThat(result.branch()).isEqualTo("main");
    assertThat(Path.of(result.workspace()).resolve("Makefile")).exists();
    assertThat(result.plan().origin()).containsIgnoringCase("make");
    await().until(() -> text().contains("plan: "));
  }

  @Test
  void aFetchSendsTemporalNoHeartbeatInItsQuietStart() throws Exception {
    String repo = repository("Makefile", "all:\n\techo ok\n");
    List<Long> heartbeats = new CopyOnWriteArrayList<>();
    env.setActivityHeartbeatListener(Object.class, details -> heartbeats.add(System.nanoTime()));
    long started = System.nanoTime();

    activities.fetch(new FetchRequest(9, repo, "main", "x86_64", 1_000_000, 1));

    assertThat(heartbeats)
        .allSatisfy(at -> assertThat(at - started).isGreaterThan(QuietStart.LENGTH.toNanos()));
  }

  @Test
  void aSuccessfulFetchReportsItsStartAndKeepsTheSlotItsPollReserved() throws Exception {
    String repo = repository("Makefile", "all:\n\techo ok\n");
    // what the worker's slot supplier does when the poll brings this run's fetch
    slots.markUsed(slots.reserve().join(), "test-workflow-id");

    activities.fetch(new FetchRequest(9, repo, "main", "x86_64", 1_000_000, 1));

    assertThat(fetchStarts).containsExactly(9L);
    slots.expireAndGrant();
    assertThat(slots.busy()).isEqualTo(1);
    assertThat(slots.reserve()).as("the slot stays the run's until cleanup").isNotDone();
  }

  @Test
  void aFailedFetchKeepsNoSlot() throws Exception {
    String repo = repository("Makefile", "all:\n\ttrue\n");
    BuildSlots.Reservation reservation = slots.reserve().join();
    slots.markUsed(reservation, "test-workflow-id");

    assertThatThrownBy(
        () -> activities.fetch(new FetchRequest(9, repo, "nope", "x86_64", 1_000_000, 1)));
    // the SDK gives the poll's permit back once the activity is done
    slots.release(reservation);

    assertThat(slots.free()).isEqualTo(1);
  }

  @Test
  void unknownRefFailsNonRetryablyWithRefNotFound() throws Exception {
    String repo = repository("Makefile", "all:\n\ttrue\n");

    assertThatThrownBy(
            () -> activities.fetch(new FetchRequest(9, repo, "nope", "x86_64", 1_000_000, 1)))
        .isInstanceOfSatisfying(
            ActivityFailure.class,
            failure -> {
              ApplicationFailure cause = (ApplicationFailure) failure.getCause();
              assertThat(cause.getType()).isEqualTo(FailureTypes.REF_NOT_FOUND);
              assertThat(cause.isNonRetryable()).isTrue();
              assertThat(cause.getOriginalMessage()).isEqualTo("ref not found: nope");
            });
  }

  @Test
  void invalidKilnYamlFailsWithFileAndLineAndLeavesNoWorkspace() throws Exception {
    String repo = repository("kiln.yaml", "compile:\n  - runn: make\n");

    assertThatThrownBy(
            () -> activities.fetch(new FetchRequest(9, repo, null, "x86_64", 1_000_000, 1)))
        .isInstanceOfSatisfying(
            ActivityFailure.class,
            failure -> {
              ApplicationFailure cause = (ApplicationFailure) failure.getCause();
              assertThat(cause.getType()).isEqualTo(FailureTypes.INVALID_SPEC);
              assertThat(cause.getOriginalMessage()).startsWith("kiln.yaml:2");
            });
    try (var runs = Files.list(host.workspaces())) {
      assertThat(runs.toList()).isEmpty();
    }
  }

  @Test
  void aPlanRequiringALabelThisHostLacksLeavesNeitherWorkspaceNorSlotAndSaysWhy() throws Exception {
    String repo = repository("kiln.yaml", "requires: [jdk21]\ncompile:\n  - run: make\n");
    BuildSlots.Reservation reservation = slots.reserve().join();
    slots.markUsed(reservation, "test-workflow-id");

    FetchResult result = activities.fetch(new FetchRequest(9, repo, null, "x86_64", 1_000_000, 1));
    slots.release(reservation);

    assertThat(result.hostMayBuild()).isFalse();
    assertThat(result.plan().requires()).containsExactly("jdk21");
    assertThat(result.sha()).hasSize(40);
    assertThat(slots.free()).as("the slot goes back with the fetch").isEqualTo(1);
    try (var runs = Files.list(host.workspaces())) {
      assertThat(runs.toList()).isEmpty();
    }
    await()
        .until(
            () ->
                text()
                    .contains(
                        "kiln.yaml requires [jdk21]; host-a lacks [jdk21]: the run moves to a"
                            + " host with every label"));
  }

  @Test
  void aPlanRequiringLabelsThisHostHasIsBuiltHere() throws Exception {
    TestActivityEnvironment labelled = TestActivityEnvironment.newInstance();
    try {
      GitFetcher fetcher =
          new GitFetcher(temp.resolve("home"), TestPolicies.localAndLoopback(), remotes);
      labelled.registerActivitiesImplementations(
          new FetchActivitiesImpl(
              host,
              logs,
              slots,
              a -> fetchStarts.add(a.runId()),
              fetcher,
              null,
              List.of("big-memory", "jdk21")));
      String repo = repository("kiln.yaml", "requires: jdk21\ncompile:\n  - run: make\n");

      FetchResult result =
          labelled
              .newActivityStub(FetchActivities.class)
              .fetch(new FetchRequest(9, repo, null, "x86_64", 1_000_000, 1));

      assertThat(result.hostMayBuild()).isTrue();
      assertThat(result.hostLabels()).containsExactly("big-memory", "jdk21");
      assertThat(Path.of(result.workspace())).isDirectory();
    } finally {
      labelled.close();
    }
  }

  private String repository(String file, String content) throws Exception {
    Path dir = temp.resolve("origin-" + System.nanoTime());
    try (Git git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call()) {
      Files.writeString(dir.resolve(file), content);
      git.add().addFilepattern(".").call();
      git.commit()
          .setMessage("init")
          .setAuthor("t", "t@kiln.dev")
          .setCommitter("t", "t@kiln.dev")
          .call();
    }
    return dir.toUri().toString();
  }

  private String text() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    log.forEach(c -> out.writeBytes(c.data()));
    return out.toString(java.nio.charset.StandardCharsets.UTF_8);
  }
}
