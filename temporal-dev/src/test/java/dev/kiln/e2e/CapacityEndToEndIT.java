package dev.kiln.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.workflows.rebuild.RebuildWorkflow;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.TerminateWorkflowExecutionRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Build slots, the queue status and priorities on the real dev stack with one build slot: a run
 * whose compile waits for a file the test creates holds the slot while the others queue in
 * Temporal.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CapacityEndToEndIT {

  static final Duration PATIENCE = Duration.ofMinutes(3);

  /** An architecture the stack accepts runs for but no worker serves. */
  static final String UNSERVED = "riscv64";

  @TempDir static Path temp;
  static DevStackProcess stack;
  static KilnHttp api;
  static WorkflowServiceStubs temporal;
  static GitFixtures fixtures;
  static String arch;

  @BeforeAll
  static void startStack() throws Exception {
    arch = System.getProperty("os.arch").matches("aarch64|arm64") ? "aarch64" : "x86_64";
    stack =
        DevStackProcess.start(
            temp.resolve("kiln-home"),
            Map.of(
                "KILN_WORKER_SLOTS",
                "1",
                // Queued runs wait for the slot far longer than the stack's no-worker limit
                // (DevStackProcess.NO_WORKER_TIMEOUT): being served but busy must not fail them.
                "KILN_ARCHS",
                arch + "," + UNSERVED,
                // The holder's build waits for a file in the test's temporary directory, which a
                // sandboxed build cannot see (SandboxEndToEndIT covers the sandbox).
                "KILN_WORKER_SANDBOX",
                "none"));
    api = new KilnHttp(stack.baseUrl());
    temporal =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(stack.temporalAddress()).build());
    fixtures = new GitFixtures(temp.resolve("repos"));
  }

  @AfterAll
  static void stopStackWithoutOrphans() throws Exception {
    if (temporal != null) {
      temporal.shutdownNow();
    }
    if (stack != null) {
      stack.stopLeavingNothingBehind();
    }
  }

  @Test
  void anUrgentRunQueuedAfterFiveNormalOnesStartsNextAndTheQueueSaysWhoWaits() throws Exception {
    Path release = temp.resolve("release-overtaking");
    long holder = startHolder(release);
    List<Long> normals = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      normals.add(quickRun("normal"));
    }
    long urgent = quickRun("urgent");
    Instant released;
    try {
      await()
          .atMost(PATIENCE)
          .untilAsserted(
              () -> {
                JsonNode status = archStatus(arch);
                assertThat(status.path("queued").asInt()).as(status.toString()).isEqualTo(6);
                assertThat(status.path("building").asInt()).isEqualTo(1);
                assertThat(status.path("free_slots").asInt()).isZero();
                assertThat(status.path("workers_polling").asInt()).isGreaterThanOrEqualTo(1);
                assertThat(status.path("oldest_queued_run_id").asLong()).isEqualTo(normals.get(0));
              });
      // queued in the database is not yet queued in Temporal: wait for every fetch to be scheduled
      List<Long> waiting = new ArrayList<>(normals);
      waiting.add(urgent);
      await()
          .atMost(PATIENCE)
          .until(() -> waiting.stream().allMatch(CapacityEndToEndIT::fetchScheduled));
      assertThat(run(normals.get(4)).path("waiting_reason").asText())
          .as("four normal runs queued earlier and the urgent one")
          .isEqualTo("waiting for a free slot on " + arch + ": 5 builds ahead");
      assertThat(run(normals.get(1)).path("waiting_reason").asText())
          .isEqualTo("waiting for a free slot on " + arch + ": 2 builds ahead");
      assertThat(run(urgent).path("waiting_reason").asText())
          .isEqualTo("waiting for a free slot on " + arch + ": 0 builds ahead");
    } finally {
      released = Instant.now();
      Files.writeString(release, "go");
    }

    JsonNode held = api.awaitEnd(holder, PATIENCE);
    JsonNode first = api.awaitEnd(urgent, PATIENCE);
    List<JsonNode> rest = new ArrayList<>();
    for (long id : normals) {
      rest.add(api.awaitEnd(id, PATIENCE));
    }

    assertThat(held.path("result").asText()).as(held.toString()).isEqualTo("passed");
    assertThat(first.path("result").asText()).as(first.toString()).isEqualTo("passed");
    Instant urgentStarted = Instant.parse(first.path("started_at").asText());
    for (JsonNode normal : rest) {
      assertThat(normal.path("result").asText()).as(normal.toString()).isEqualTo("passed");
      assertThat(Instant.parse(normal.path("started_at").asText()))
          .as("run %s started after the urgent one", normal.path("run_id"))
          .isAfter(urgentStarted);
    }
    // The slot is freed by the held run's cleanup, which comes before its ledger's terminal write.
    assertThat(urgentStarted).as("nothing started while the only slot was held").isAfter(released);
  }

  /**
   * Fair queues: thirty runs of one repository wait on the only slot, then one of another
   * repository. Temporal's fairness (the repository as fairness key) puts it next to the first of
   * the thirty, not behind all of them: it starts within the next two free slots, and the queue
   * said so while it waited.
   */
  @Test
  void anotherRepositorysRunQueuedBehindThirtyOfOneRepositoryStartsWithinTheNextTwoSlots()
      throws Exception {
    Path release = temp.resolve("release-fair");
    long holder = startHolder(release);
    String many = fixtures.repository("c-make", Map.of("kiln.yaml", quickSpec()));
    String single = fixtures.repository("c-make", Map.of("kiln.yaml", quickSpec()));
    List<Long> thirty = new ArrayList<>();
    long lone;
    try {
      for (int i = 0; i < 30; i++) {
        // supersede false: each its own run, not coalesced in the branch's lane
        thirty.add(aloneRun(many));
      }
      await()
          .atMost(PATIENCE)
          .until(() -> thirty.stream().allMatch(CapacityEndToEndIT::fetchScheduled));
      lone = aloneRun(single);
      await().atMost(PATIENCE).until(() -> fetchScheduled(lone));

      JsonNode waiting = run(lone);
      assertThat(waiting.path("queue_position").asInt()).as(waiting.toString()).isEqualTo(2);
      assertThat(waiting.path("waiting_reason").asText())
          .isEqualTo("waiting for a free slot on " + arch + ": 1 build ahead");
      assertThat(run(thirty.get(29)).path("queue_position").asInt()).isEqualTo(31);
      JsonNode listed = archStatus(arch).path("waiting");
      assertThat(listed.get(1).path("run_id").asLong()).as(listed.toString()).isEqualTo(lone);
      assertThat(listed.get(1).path("position").asInt()).isEqualTo(2);
    } finally {
      Files.writeString(release, "go");
    }

    assertThat(api.awaitEnd(holder, PATIENCE).path("result").asText()).isEqualTo("passed");
    JsonNode built = api.awaitEnd(lone, PATIENCE);
    assertThat(built.path("result").asText()).as(built.toString()).isEqualTo("passed");
    Instant loneStarted = Instant.parse(built.path("started_at").asText());
    List<Long> before = new ArrayList<>();
    for (long id : thirty) {
      JsonNode other = run(id);
      if (!other.path("started_at").isNull()
          && Instant.parse(other.path("started_at").asText()).isBefore(loneStarted)) {
        before.add(id);
      }
    }
    System.out.printf(
        "fair queues: the lone run started after %d of the thirty (%s)%n", before.size(), before);
    assertThat(before).as("runs of the thirty that started before it").hasSizeLessThanOrEqualTo(1);

    // the rest of the thirty would hold the slot for the other tests: cancel those still waiting
    for (long id : thirty) {
      if (run(id).path("phase").asText().equals("queued")) {
        api.put("/build-jobs/" + id + "/cancel", "{\"reason\": \"e2e: done\"}");
      }
    }
    for (long id : thirty) {
      assertThat(api.awaitEnd(id, PATIENCE).path("result").asText()).isIn("passed", "cancelled");
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(archStatus(arch).path("free_slots").asInt()).isEqualTo(1));
  }

  @Test
  void aQueuedRunCancelledEndsCancelledWithoutEverFetching() throws Exception {
    Path release = temp.resolve("release-cancel");
    long holder = startHolder(release);
    long queued;
    try {
      queued = quickRun("normal");
      await()
          .atMost(PATIENCE)
          .until(() -> run(queued).path("waiting_reason").asText().startsWith("waiting for"));

      KilnHttp.Answer accepted =
          api.put("/build-jobs/" + queued + "/cancel", "{\"reason\": \"e2e: not needed\"}");
      assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
      JsonNode cancelled = api.awaitEnd(queued, PATIENCE);

      assertThat(cancelled.path("result").asText()).as(cancelled.toString()).isEqualTo("cancelled");
      assertThat(cancelled.path("phase").asText()).isEqualTo("done");
      assertThat(cancelled.path("started_at").isNull())
          .as("its phase never left queued: no host started its fetch")
          .isTrue();
      assertThat(cancelled.path("sha").isNull()).isTrue();
      assertThat(api.get("/runs/" + queued + "/logs").body()).doesNotContain("fetch on");
      assertThat(run(holder).path("result").asText()).isEqualTo("building");
    } finally {
      Files.writeString(release, "go");
    }
    assertThat(api.awaitEnd(holder, PATIENCE).path("result").asText()).isEqualTo("passed");
  }

  @Test
  void aRunForAnArchitectureNoWorkerServesSaysNobodyPollsItsQueue() throws Exception {
    String repo = fixtures.repository("c-make", Map.of("kiln.yaml", quickSpec()));
    long id = api.rebuild(Map.of("repo", repo, "arch", UNSERVED)).json().path("run_id").asLong();

    await()
        .atMost(PATIENCE)
        .untilAsserted(
            () ->
                assertThat(run(id).path("waiting_reason").asText())
                    .isEqualTo("no worker polls kiln-build-" + UNSERVED));
    JsonNode status = archStatus(UNSERVED);
    assertThat(status.path("queued").asInt()).isEqualTo(1);
    assertThat(status.path("workers_polling").asInt()).isZero();
    assertThat(status.path("free_slots").asInt()).isZero();

    api.put("/build-jobs/" + id + "/cancel", "{}");
    // cancelled, unless the stack's short no-worker limit ended it first, as it should
    JsonNode ended = api.awaitEnd(id, PATIENCE);
    assertThat(ended.path("result").asText() + " " + ended.path("failure_summary").asText())
        .isIn(
            "cancelled cancelled",
            "failed no worker for arch "
                + UNSERVED
                + " within "
                + DevStackProcess.NO_WORKER_TIMEOUT);
  }

  /**
   * A burst of supersedes on one slot: 200 rebuilds from 50 clients into 10 lanes of a 1 s build.
   * Every lane ends with its newest run passed and every other aborted; nothing is left holding the
   * slot or on disk. Before, a cancel that reached a run after its host had taken the fetch left
   * the slot held for the 10-minute idle lease, and every lane of the arch waited.
   */
  @Test
  void aBurstOfSupersedesDrainsWithinAMinuteLeavingNoSlotHeldAndNoWorkspace() throws Exception {
    List<String> repos = new ArrayList<>();
    for (int lane = 0; lane < 10; lane++) {
      repos.add(fixtures.repository("c-make", Map.of("kiln.yaml", "compile:\n  - run: sleep 1\n")));
    }
    Map<String, List<Long>> lanes = new java.util.concurrent.ConcurrentHashMap<>();
    List<Long> postMillis = java.util.Collections.synchronizedList(new ArrayList<>());
    java.util.concurrent.atomic.AtomicInteger next =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.ExecutorService clients =
        java.util.concurrent.Executors.newFixedThreadPool(50);
    Instant began = Instant.now();
    try {
      List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
      for (int c = 0; c < 50; c++) {
        sent.add(
            clients.submit(
                () -> {
                  for (int i = next.getAndIncrement(); i < 200; i = next.getAndIncrement()) {
                    String repo = repos.get(i % repos.size());
                    long start = System.nanoTime();
                    KilnHttp.Answer accepted = api.rebuild(Map.of("repo", repo, "ref", "main"));
                    postMillis.add((System.nanoTime() - start) / 1_000_000);
                    assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
                    lanes
                        .computeIfAbsent(
                            repo, r -> java.util.Collections.synchronizedList(new ArrayList<>()))
                        .add(accepted.json().path("run_id").asLong());
                  }
                  return null;
                }));
      }
      for (var request : sent) {
        request.get(2, java.util.concurrent.TimeUnit.MINUTES);
      }
    } finally {
      clients.shutdownNow();
    }
    List<JsonNode> ends = new ArrayList<>();
    for (List<Long> ids : lanes.values()) {
      for (long id : ids) {
        ends.add(api.awaitEnd(id, PATIENCE));
      }
    }
    Duration drained = Duration.between(began, Instant.now());
    postMillis.sort(null);
    System.out.printf(
        "supersede burst: 200 rebuilds from 50 clients into 10 lanes drained in %d ms;"
            + " POST p50 %d ms, p99 %d ms%n",
        drained.toMillis(), postMillis.get(99), postMillis.get(197));

    for (List<Long> ids : lanes.values()) {
      long newest = ids.stream().mapToLong(Long::longValue).max().orElseThrow();
      for (long id : ids) {
        JsonNode end = run(id);
        if (id == newest) {
          assertThat(end.path("result").asText()).as(end.toString()).isEqualTo("passed");
        } else {
          assertThat(end.path("result").asText()).as(end.toString()).isEqualTo("aborted");
          assertThat(end.path("superseded_by").asLong()).as(end.toString()).isGreaterThan(id);
        }
      }
    }
    assertThat(ends).hasSize(200);
    assertThat(drained).as("the burst drains within a minute").isLessThan(Duration.ofMinutes(1));
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(archStatus(arch).path("free_slots").asInt()).isEqualTo(1);
              assertThat(workspaces()).isEmpty();
            });
  }

  /**
   * What the Web UI's Terminate does to a compiling run: no workflow code runs to clean up. The
   * host hears that the run ended and frees the slot and the workspace, so the run queued behind it
   * starts within seconds instead of after the 10-minute idle lease.
   */
  @Test
  void aRunTerminatedInTemporalWhileCompilingFreesItsSlotAndWorkspaceWithinSeconds()
      throws Exception {
    String spec =
        """
        compile:
          - run: echo compiling; sleep 600
            timeout: 20m
        """;
    String repo = fixtures.repository("c-make", Map.of("kiln.yaml", spec));
    long held = api.rebuild(Map.of("repo", repo)).json().path("run_id").asLong();
    await()
        .atMost(PATIENCE)
        .until(() -> api.get("/runs/" + held + "/logs").body().contains("$ echo compiling"));
    assertThat(workspaces()).hasSize(1);
    long queued = quickRun("normal");
    await().atMost(PATIENCE).until(() -> fetchScheduled(queued));

    Instant terminated = Instant.now();
    temporal
        .blockingStub()
        .terminateWorkflowExecution(
            TerminateWorkflowExecutionRequest.newBuilder()
                .setNamespace("default")
                .setWorkflowExecution(
                    WorkflowExecution.newBuilder()
                        .setWorkflowId(RebuildWorkflow.workflowId(held))
                        .build())
                .setReason("e2e: what the Web UI's Terminate does")
                .build());

    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(100))
        .pollDelay(Duration.ZERO)
        .untilAsserted(
            () -> {
              assertThat(run(queued).path("started_at").isNull())
                  .as("the queued run started: the slot is free")
                  .isFalse();
              assertThat(workspaces()).doesNotContain(workspaceOf(held));
            });
    System.out.printf(
        "terminated run %d: slot free and workspace gone after %d ms%n",
        held, Duration.between(terminated, Instant.now()).toMillis());
    JsonNode ended = api.awaitEnd(held, PATIENCE);
    assertThat(ended.path("result").asText()).as(ended.toString()).isEqualTo("failed");
    assertThat(ended.path("failure_summary").asText())
        .isEqualTo("the run's workflow was terminated");
    assertThat(api.awaitEnd(queued, PATIENCE).path("result").asText()).isEqualTo("passed");
  }

  /** The names of the workspace directories on the stack's only host. */
  private static List<String> workspaces() throws Exception {
    Path runs = stack.home.resolve("work").resolve("runs");
    if (!Files.isDirectory(runs)) {
      return List.of();
    }
    try (var dirs = Files.list(runs)) {
      return dirs.map(dir -> dir.getFileName().toString()).sorted().toList();
    }
  }

  private static String workspaceOf(long runId) {
    return runId + "-1";
  }

  /** Whether the run's workflow has scheduled its fetch: the task is in Temporal's queue. */
  private static boolean fetchScheduled(long runId) {
    try {
      return temporal
          .blockingStub()
          .describeWorkflowExecution(
              DescribeWorkflowExecutionRequest.newBuilder()
                  .setNamespace("default")
                  .setExecution(
                      WorkflowExecution.newBuilder()
                          .setWorkflowId(RebuildWorkflow.workflowId(runId))
                          .build())
                  .build())
          .getPendingActivitiesList()
          .stream()
          .anyMatch(activity -> activity.getActivityType().getName().equals("Fetch"));
    } catch (StatusRuntimeException notStartedYet) {
      return false;
    }
  }

  /** Starts a run whose compile holds the only slot until {@code release} exists. */
  private static long startHolder(Path release) throws Exception {
    String spec =
        """
        compile:
          - run: while [ ! -f '%s' ]; do sleep 0.2; done; echo released
            timeout: 10m
        """
            .formatted(release);
    String repo = fixtures.repository("c-make", Map.of("kiln.yaml", spec));
    long id = api.rebuild(Map.of("repo", repo)).json().path("run_id").asLong();
    await()
        .atMost(PATIENCE)
        .until(() -> api.get("/runs/" + id + "/logs").body().contains("$ while [ ! -f"));
    return id;
  }

  /** A run of {@code repo} outside any lane ({@code supersede: false}) whose build is quick. */
  private static long aloneRun(String repo) throws Exception {
    KilnHttp.Answer accepted = api.rebuild(Map.of("repo", repo, "supersede", false));
    assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
    return accepted.json().path("run_id").asLong();
  }

  /** A run of its own lane (its own repository) whose build takes a moment. */
  private static long quickRun(String priority) throws Exception {
    String repo = fixtures.repository("c-make", Map.of("kiln.yaml", quickSpec()));
    KilnHttp.Answer accepted = api.rebuild(Map.of("repo", repo, "priority", priority));
    assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
    return accepted.json().path("run_id").asLong();
  }

  private static String quickSpec() {
    return """
        compile:
          - run: echo built
        """;
  }

  private static JsonNode run(long id) throws Exception {
    return api.get("/runs/" + id).json();
  }

  private static JsonNode archStatus(String name) throws Exception {
    KilnHttp.Answer answer = api.get("/build-jobs/queue/status");
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    for (JsonNode entry : answer.json().path("archs")) {
      if (entry.path("arch").asText().equals(name)) {
        return entry;
      }
    }
    throw new AssertionError(name + " not in " + answer.body());
  }
}
