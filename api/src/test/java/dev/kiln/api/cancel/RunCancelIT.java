package dev.kiln.api.cancel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.api.runs.RunRepository;
import dev.kiln.api.support.Http;
import dev.kiln.api.support.KilnApp;
import dev.kiln.api.support.TestTemporal;
import dev.kiln.workflows.Phase;
import dev.kiln.workflows.RebuildRequest;
import dev.kiln.workflows.Result;
import dev.kiln.workflows.RunOutcome;
import dev.kiln.workflows.TaskQueues;
import dev.kiln.workflows.activities.GateUpdate;
import dev.kiln.workflows.activities.LedgerActivities;
import dev.kiln.workflows.activities.RunResolved;
import dev.kiln.workflows.lane.LaneWorkflow;
import dev.kiln.workflows.lane.LaneWorkflowImpl;
import dev.kiln.workflows.rebuild.LedgerReports;
import dev.kiln.workflows.rebuild.RebuildWorkflow;
import dev.kiln.workflows.rebuild.RunProgress;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.Workflow;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * {@code PUT /build-jobs/{id}/cancel} through the whole api (Tomcat, Flyway on embedded PostgreSQL,
 * the real Temporal client) to Temporal's test server, where the real lane workflow and a stand-in
 * run workflow take it. The stand-in builds until it is cancelled and then writes {@code cancelled}
 * through the ledger, as {@code RebuildWorkflowImpl} does; the ledger writes straight to the api's
 * repository and holds the terminal write until the test lets it through, so the test sees the run
 * while it is being cancelled.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
class RunCancelIT {

  private static final String REPO = "https://github.com/madler/zlib.git";

  private static TestTemporal temporal;

  /** Runs whose stand-in workflow saw its cancellation. */
  static final Set<Long> SAW_CANCEL = ConcurrentHashMap.newKeySet();

  /** Runs whose stand-in was told it was superseded (a cancel must not do that). */
  static final Set<Long> SAW_SUPERSEDED = ConcurrentHashMap.newKeySet();

  static volatile RunRepository ledgerRuns;
  static volatile CountDownLatch terminalWrites = new CountDownLatch(0);

  /** Builds until cancelled, then records {@code cancelled} like the real workflow. */
  public static class BuildsUntilCancelledWorkflow implements RebuildWorkflow {

    private final LedgerActivities ledger = LedgerReports.stub();

    @Override
    public RunOutcome build(RebuildRequest request) {
      ledger.phaseChanged(request.runId(), Phase.COMPILING);
      try {
        Workflow.await(() -> false);
        return RunOutcome.passed();
      } catch (CanceledFailure cancelled) {
        SAW_CANCEL.add(request.runId());
        Workflow.newDetachedCancellationScope(
                () -> ledger.finished(request.runId(), Result.CANCELLED, "cancelled"))
            .run();
        throw cancelled;
      }
    }

    @Override
    public RunProgress progress() {
      return null;
    }

    @Override
    public void supersededBy(long runId) {
      SAW_SUPERSEDED.add(runId);
    }
  }

  /** The ledger without the worker's HTTP hop: straight into the api's repository. */
  public static class RepositoryLedger implements LedgerActivities {

    @Override
    public boolean archServed(String arch) {
      return true;
    }

    @Override
    public void requiresLabels(long runId, java.util.List<String> labels) {}

    @Override
    public boolean servedWithLabels(String arch, java.util.List<String> labels) {
      return true;
    }

    @Override
    public void phaseChanged(long runId, Phase phase) {
      ledgerRuns.updatePhase(runId, phase);
    }

    @Override
    public void resolved(RunResolved resolved) {}

    @Override
    public void restarted(dev.kiln.workflows.activities.RunRestart restart) {}

    @Override
    public void attemptStarted(long runId, int attempt) {}

    @Override
    public void gateChanged(long runId, GateUpdate update) {}

    @Override
    public boolean finished(long runId, Result result, String failureSummary) {
      try {
        terminalWrites.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return ledgerRuns.finish(runId, result, failureSummary);
    }

    @Override
    public boolean superseded(long runId, long byRunId) {
      return ledgerRuns.finish(runId, Result.ABORTED, "superseded by run " + byRunId, byRunId);
    }
  }

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) throws Exception {
    temporal = TestTemporal.start();
    var worker = temporal.workers().newWorker(TaskQueues.CONTROL);
    worker.registerWorkflowImplementationTypes(
        BuildsUntilCancelledWorkflow.class, LaneWorkflowImpl.class);
    worker.registerActivitiesImplementations(new RepositoryLedger());
    temporal.workers().start();
    KilnApp.register(registry, Files.createTempDirectory("kiln-home"));
    registry.add("kiln.temporal.address", temporal::address);
  }

  @AfterAll
  static void stopTemporal() {
    temporal.close();
  }

  @LocalServerPort int port;
  @Autowired RunRepository runs;
  private Http http;

  @BeforeEach
  void setUp() {
    http = new Http(port);
    ledgerRuns = runs;
    terminalWrites = new CountDownLatch(1);
  }

  @Test
  void cancellingADirectRunReachesItsWorkflowAndEndsItCancelledWithAnIdempotentSecondRequest() {
    long runId = rebuild("{\"repo\": \"" + REPO + "\", \"ref\": \"main\", \"supersede\": false}");
    awaitPhase(runId, "compiling");

    HttpResponse<String> first = cancel(runId, "{\"reason\": \"wrong branch\"}");

    assertThat(first.statusCode()).isEqualTo(202);
    assertThat(first.headers().firstValue("Location")).contains("/runs/" + runId);
    JsonNode view = Http.json(first);
    assertThat(view.path("run_id").asLong()).isEqualTo(runId);
    assertThat(view.path("phase").asString()).isEqualTo("compiling");
    assertThat(view.path("result").asString()).isEqualTo("building");
    assertThat(view.path("cancelled_by").asString()).isEqualTo("wrong branch");
    await().atMost(Duration.ofSeconds(20)).until(() -> SAW_CANCEL.contains(runId));

    // the workflow is stopping (its terminal write is held): a second request is 202 as well
    HttpResponse<String> second = cancel(runId, null);
    assertThat(second.statusCode()).isEqualTo(202);
    assertThat(Http.json(second).path("result").asString()).isEqualTo("building");
    assertThat(Http.json(second).path("cancelled_by").asString()).isEqualTo("wrong branch");

    terminalWrites.countDown();
    JsonNode ended = awaitResult(runId, "cancelled");
    assertThat(ended.path("cancelled_by").asString()).isEqualTo("wrong branch");
    assertThat(ended.path("failure_summary").asString()).isEqualTo("cancelled");
    String workflowId = RebuildWorkflow.workflowId(runId);
    assertThat(temporal.client().newUntypedWorkflowStub(workflowId).describe().getStatus())
        .isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED);
    assertThat(SAW_SUPERSEDED).doesNotContain(runId);

    HttpResponse<String> late = cancel(runId, null);
    assertThat(late.statusCode()).isEqualTo(409);
    assertThat(late.headers().firstValue("Content-Type")).contains("application/problem+json");
    assertThat(Http.json(late).path("result").asString()).isEqualTo("cancelled");
  }

  @Test
  void cancellingALaneRunSignalsTheLaneWhichCancelsTheChildWithoutSupersedingIt() {
    long runId = rebuild("{\"repo\": \"" + REPO + "\", \"ref\": \"feature/cancel\"}");
    awaitPhase(runId, "compiling");

    HttpResponse<String> first = cancel(runId, null);
    assertThat(first.statusCode()).isEqualTo(202);
    assertThat(Http.json(first).path("cancelled_by").asString()).isEqualTo("api");
    await().atMost(Duration.ofSeconds(20)).until(() -> SAW_CANCEL.contains(runId));
    assertThat(cancel(runId, null).statusCode()).isEqualTo(202);

    terminalWrites.countDown();
    JsonNode ended = awaitResult(runId, "cancelled");
    assertThat(ended.path("cancelled_by").asString()).isEqualTo("api");
    assertThat(ended.path("superseded_by").isNull()).isTrue();
    assertThat(SAW_SUPERSEDED).doesNotContain(runId);
    String lane = LaneWorkflow.workflowId(ended.path("lane").asString());
    long signals =
        temporal.client().fetchHistory(lane).getEvents().stream()
            .filter(e -> e.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED)
            .filter(
                e ->
                    e.getWorkflowExecutionSignaledEventAttributes()
                        .getSignalName()
                        .equals("cancelRun"))
            .count();
    assertThat(signals).as("both requests went to the lane").isEqualTo(2);
    long cancelRequests =
        temporal.client().fetchHistory(RebuildWorkflow.workflowId(runId)).getEvents().stream()
            .filter(
                e -> e.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED)
            .count();
    assertThat(cancelRequests).as("one cancellation of the child").isEqualTo(1);
  }

  @Test
  void unknownRunIs404AndMalformedIdIs400() {
    assertThat(cancel(999_999, null).statusCode()).isEqualTo(404);
    HttpResponse<String> malformed =
        http.send(
            http.request("/build-jobs/x1/cancel").PUT(HttpRequest.BodyPublishers.noBody()).build());
    assertThat(malformed.statusCode()).isEqualTo(400);
  }

  private long rebuild(String json) {
    HttpResponse<String> response = http.postJson("/rebuild", json);
    assertThat(response.statusCode()).isEqualTo(202);
    return Http.json(response).path("run_id").asLong();
  }

  private HttpResponse<String> cancel(long runId, String json) {
    HttpRequest.Builder request = http.request("/build-jobs/" + runId + "/cancel");
    if (json == null) {
      request.PUT(HttpRequest.BodyPublishers.noBody());
    } else {
      request
          .header("Content-Type", "application/json")
          .PUT(HttpRequest.BodyPublishers.ofString(json));
    }
    return http.send(request.build());
  }

  private void awaitPhase(long runId, String phase) {
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> Http.json(http.get("/runs/" + runId)).path("phase").asString().equals(phase));
  }

  private JsonNode awaitResult(long runId, String result) {
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> Http.json(http.get("/runs/" + runId)).path("result").asString().equals(result));
    return Http.json(http.get("/runs/" + runId));
  }
}
