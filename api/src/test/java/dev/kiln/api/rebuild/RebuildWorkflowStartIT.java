package dev.kiln.api.rebuild;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.api.runs.RunRepository;
import dev.kiln.api.support.Http;
import dev.kiln.api.support.KilnApp;
import dev.kiln.api.support.TestTemporal;
import dev.kiln.workflows.KilnSearchAttributes;
import dev.kiln.workflows.RebuildRequest;
import dev.kiln.workflows.Result;
import dev.kiln.workflows.RunOutcome;
import dev.kiln.workflows.TaskQueues;
import dev.kiln.workflows.lane.LaneWorkflow;
import dev.kiln.workflows.lane.LaneWorkflowImpl;
import dev.kiln.workflows.rebuild.RebuildWorkflow;
import dev.kiln.workflows.rebuild.RunProgress;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.common.SearchAttributeKey;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
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
 * The whole api (Tomcat, Flyway on embedded PostgreSQL, the real Temporal client) against
 * Temporal's test server, with a stand-in workflow on {@code kiln-control}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
class RebuildWorkflowStartIT {

  private static final String REPO = "https://github.com/madler/zlib.git";

  private static TestTemporal temporal;

  /**
   * Calls back nothing: it reports what it was asked to build as its outcome, so the test can check
   * the request that crossed Temporal.
   */
  public static class EchoRebuildWorkflow implements RebuildWorkflow {

    @Override
    public RunOutcome build(RebuildRequest r) {
      return new RunOutcome(
          Result.PASSED,
          r.runId()
              + "|"
              + r.repo()
              + "|"
              + r.ref()
              + "|"
              + r.arch()
              + "|"
              + r.mr()
              + "|"
              + r.priority()
              + "|"
              + r.target()
              + "|"
              + String.join(",", r.args()));
    }

    @Override
    public RunProgress progress() {
      return null;
    }

    // no @Override: the signal is being added to RebuildWorkflow (lane supersede); this compiles
    // against the interface with and without it
    public void supersededBy(long runId) {}
  }

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) throws Exception {
    temporal = TestTemporal.start();
    temporal
        .workers()
        .newWorker(TaskQueues.CONTROL)
        .registerWorkflowImplementationTypes(EchoRebuildWorkflow.class, LaneWorkflowImpl.class);
    temporal.workers().start();
    KilnApp.register(registry, Files.createTempDirectory("kiln-home"));
    registry.add("kiln.temporal.address", temporal::address);
    registry.add("kiln.temporal.ui-url", () -> "http://ui.example:8233/");
  }

  @AfterAll
  static void stopTemporal() {
    temporal.close();
  }

  @LocalServerPort int port;
  @Autowired RunRepository runs;
  private Http http;

  @BeforeEach
  void client() {
    http = new Http(port);
  }

  @Test
  void startsWorkflowKilnRunWithSearchAttributesAndAnswersTheContractBody() {
    HttpResponse<String> response =
        http.postJson(
            "/rebuild",
            """
            {"repo": "%s", "ref": "main", "arch": "x86_64", "mr": "17", "priority": "high",
             "supersede": false,
             "target": "all", "args": ["-j4", "V=1"]}
            """
                .formatted(REPO));

    assertThat(response.statusCode()).isEqualTo(202);
    JsonNode body = Http.json(response);
    long runId = body.path("run_id").asLong();
    String workflowId = "kiln-run-" + runId;
    assertThat(response.headers().firstValue("Location")).contains("/runs/" + runId);
    assertThat(body.path("lane").asString()).isEqualTo(REPO + "#main@x86_64");
    assertThat(body.path("workflow_id").asString()).isEqualTo(workflowId);
    assertThat(body.path("status_url").asString()).isEqualTo("/runs/" + runId);
    assertThat(body.path("logs_url").asString()).isEqualTo("/runs/" + runId + "/logs");
    assertThat(body.path("ui_url").asString())
        .isEqualTo("http://ui.example:8233/namespaces/default/workflows/" + workflowId);

    WorkflowExecutionDescription described =
        temporal.client().newUntypedWorkflowStub(workflowId).describe();
    assertThat(described.getWorkflowType()).isEqualTo("RebuildWorkflow");
    assertThat(described.getTaskQueue()).isEqualTo(TaskQueues.CONTROL);
    var attributes = described.getTypedSearchAttributes();
    assertThat(
            attributes.getUntypedValues().keySet().stream()
                .map(SearchAttributeKey::getName)
                .collect(Collectors.toSet()))
        .containsExactlyInAnyOrder(
            "KilnRepo", "KilnBranch", "KilnArch", "KilnMr", "KilnPhase", "KilnResult", "KilnRunId");
    assertThat(attributes.get(KilnSearchAttributes.REPO)).isEqualTo(REPO);
    assertThat(attributes.get(KilnSearchAttributes.BRANCH)).isEqualTo("main");
    assertThat(attributes.get(KilnSearchAttributes.ARCH)).isEqualTo("x86_64");
    assertThat(attributes.get(KilnSearchAttributes.MR)).isEqualTo("17");
    assertThat(attributes.get(KilnSearchAttributes.PHASE)).isEqualTo("queued");
    assertThat(attributes.get(KilnSearchAttributes.RESULT)).isEqualTo("building");
    assertThat(attributes.get(KilnSearchAttributes.RUN_ID)).isEqualTo(runId);
    assertThat(described.getStaticSummary()).isEqualTo(REPO + "@main x86_64");
    assertThat(described.getStaticDetails())
        .contains("[run view](http://localhost:" + port + "/runs/" + runId + ")");
    // the test server leaves priority out of describe; the start event has it
    assertThat(
            temporal
                .client()
                .fetchHistory(workflowId)
                .getEvents()
                .get(0)
                .getWorkflowExecutionStartedEventAttributes()
                .getPriority()
                .getPriorityKey())
        .isEqualTo(2);

    RunOutcome outcome =
        temporal.client().newUntypedWorkflowStub(workflowId).getResult(RunOutcome.class);
    assertThat(outcome.failureSummary())
        .isEqualTo(runId + "|" + REPO + "|main|x86_64|17|high|all|-j4,V=1");

    JsonNode view = Http.json(http.get("/runs/" + runId));
    assertThat(view.path("temporal").path("run_id").asString())
        .isEqualTo(described.getExecution().getRunId());
    assertThat(view.path("phase").asString()).isEqualTo("queued");
    assertThat(view.path("result").asString())
        .as("the stand-in reports nothing")
        .isEqualTo("building");
  }

  @Test
  void aRunThatMaySupersedeIsHandedToItsLaneWhichStartsItAsKilnRun() {
    HttpResponse<String> response =
        http.postJson(
            "/rebuild", "{\"repo\": \"" + REPO + "\", \"ref\": \"develop\", \"mr\": \"9\"}");

    assertThat(response.statusCode()).isEqualTo(202);
    JsonNode body = Http.json(response);
    long runId = body.path("run_id").asLong();
    String lane = REPO + "#develop@x86_64";
    assertThat(body.path("lane").asString()).isEqualTo(lane);
    assertThat(
            temporal
                .client()
                .newUntypedWorkflowStub(LaneWorkflow.workflowId(lane))
                .describe()
                .getWorkflowType())
        .isEqualTo("LaneWorkflow");
    String workflowId = RebuildWorkflow.workflowId(runId);
    // the 202 means the lane has the run; the lane starts the run's workflow in its next task
    await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .until(() -> temporal.client().newUntypedWorkflowStub(workflowId).describe() != null);
    RunOutcome outcome =
        temporal.client().newUntypedWorkflowStub(workflowId).getResult(RunOutcome.class);
    assertThat(outcome.failureSummary()).startsWith(runId + "|" + REPO + "|develop|x86_64|9|");
    var attributes =
        temporal.client().newUntypedWorkflowStub(workflowId).describe().getTypedSearchAttributes();
    assertThat(attributes.get(KilnSearchAttributes.RUN_ID)).isEqualTo(runId);
    assertThat(attributes.get(KilnSearchAttributes.REPO)).isEqualTo(REPO);
  }

  @Test
  void theSameIdempotencyKeyNeverStartsASecondBuild() throws Exception {
    String json = "{\"repo\": \"" + REPO + "\", \"ref\": \"v1.3\"}";
    List<CompletableFuture<HttpResponse<String>>> racing =
        java.util.stream.IntStream.range(0, 4)
            .mapToObj(
                i ->
                    CompletableFuture.supplyAsync(
                        () -> http.postJson("/rebuild", json, "Idempotency-Key", "release-1.3")))
            .toList();
    List<HttpResponse<String>> responses = racing.stream().map(CompletableFuture::join).toList();

    assertThat(responses).extracting(HttpResponse::statusCode).containsOnly(200, 202);
    assertThat(responses).filteredOn(r -> r.statusCode() == 202).hasSize(1);
    assertThat(responses.stream().map(r -> Http.json(r).path("run_id").asLong()).distinct())
        .hasSize(1);
    long runId = Http.json(responses.get(0)).path("run_id").asLong();
    assertThat(runs.findByIdempotencyKey("release-1.3"))
        .hasValueSatisfying(run -> assertThat(run.id()).isEqualTo(runId));

    HttpResponse<String> different =
        http.postJson(
            "/rebuild",
            "{\"repo\": \"" + REPO + "\", \"ref\": \"v1.4\"}",
            "Idempotency-Key",
            "release-1.3");
    assertThat(different.statusCode()).isEqualTo(422);
    assertThat(Http.json(different).path("detail").asString())
        .isEqualTo(
            "Idempotency-Key \"release-1.3\" was already used for a different request (run "
                + runId
                + ")");
  }

  @Test
  void healthShowsTheDatabaseAndTemporalUp() {
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              HttpResponse<String> health = http.get("/actuator/health");
              assertThat(health.statusCode()).isEqualTo(200);
              JsonNode components = Http.json(health).path("components");
              assertThat(components.path("db").path("status").asString()).isEqualTo("UP");
              assertThat(components.path("temporal").path("status").asString()).isEqualTo("UP");
            });
  }

  @Test
  void servesPrometheusMetricsAndTheOpenApiDocument() {
    HttpResponse<String> metrics = http.get("/actuator/prometheus");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body()).contains("jvm_memory_used_bytes");

    HttpResponse<String> openapi = http.get("/v3/api-docs");
    assertThat(openapi.statusCode()).isEqualTo(200);
    JsonNode paths = Http.json(openapi).path("paths");
    assertThat(paths.has("/rebuild")).isTrue();
    assertThat(paths.has("/runs/{id}")).isTrue();
    assertThat(paths.has("/internal/runs/{id}/finish")).as("internal API stays out").isFalse();
    JsonNode accepted =
        Http.json(openapi).path("components").path("schemas").path("RebuildAccepted");
    assertThat(accepted.path("properties").has("run_id"))
        .as("schema uses the wire names: %s", accepted)
        .isTrue();

    assertThat(http.get("/swagger-ui.html").statusCode()).isIn(200, 302);
  }

  @Test
  void answersAnUnknownPathWithA404ProblemThroughTheRealContainer() {
    HttpResponse<String> response = http.get("/nope");
    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.headers().firstValue("Content-Type")).contains("application/problem+json");
    assertThat(Http.json(response).path("detail").asString())
        .isEqualTo("no such resource: GET /nope");
  }

  @Test
  void answersARequestTomcatRefusesWithAProblemToo() throws Exception {
    // java.net.URI refuses to build this request, so it goes over a bare socket
    try (Socket socket = new Socket("localhost", port)) {
      socket
          .getOutputStream()
          .write(
              "GET /runs/%zz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

      assertThat(answer).startsWith("HTTP/1.1 400");
      assertThat(answer).containsIgnoringCase("Content-Type: application/problem+json");
      assertThat(answer).contains("\"status\":400").doesNotContain("<html");
    }
  }
}
