package dev.kiln.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.workflows.rebuild.RebuildWorkflow;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
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
