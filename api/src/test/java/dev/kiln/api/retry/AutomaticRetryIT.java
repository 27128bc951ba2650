package dev.kiln.api.retry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.runs.NewRun;
import dev.kiln.api.runs.RunEndings;
import dev.kiln.api.runs.RunRecord;
import dev.kiln.api.runs.RunRepository;
import dev.kiln.api.runs.RunSummary;
import dev.kiln.api.support.Http;
import dev.kiln.api.support.KilnApp;
import dev.kiln.api.support.TestProperties;
import dev.kiln.api.support.TestTemporal;
import dev.kiln.workflows.Result;
import dev.kiln.workflows.RunOutcome;
import dev.kiln.workflows.RunPriority;
import dev.kiln.workflows.TaskQueues;
import dev.kiln.workflows.lane.LaneWorkflowImpl;
import dev.kiln.workflows.rebuild.RebuildWorkflow;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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
 * Automatic retries of infrastructure failures through the whole api, against Temporal's test
 * server: a worker's finish report of such a failure starts one retry of the same commit, however
 * often it is repeated and whenever the api stopped in between; other failures start none.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
class AutomaticRetryIT {

  static final String REPO = "https://git.example.com/team/auto-retry.git";
  static final String SHA = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";
  static final String WORKER = "Bearer " + TestProperties.TOKEN;
  static final String LOST_HOST = "build host lost 5 times; last: host-a: timed out (HEARTBEAT)";

  private static TestTemporal temporal;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) throws Exception {
    temporal = TestTemporal.start();
    temporal
        .workers()
        .newWorker(TaskQueues.CONTROL)
        .registerWorkflowImplementationTypes(
            RunRetryIT.EchoRebuildWorkflow.class, LaneWorkflowImpl.class);
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
  @Autowired RunEndings endings;
  Http http;

  @BeforeEach
  void client() {
    http = new Http(port);
  }

  /** A run of main asked for with args, mr, target and priority high. */
  private long queuedRun() {
    return runs.insert(
            new NewRun(
                REPO,
                "main",
                "x86_64",
                REPO + "#main@x86_64",
                "12",
                RunPriority.HIGH,
                true,
                "all",
                List.of("-j4", "V=1"),
                null))
        .orElseThrow();
  }

  /** A run resolved to {@link #SHA}, as a worker reports it. */
  private long resolvedRun() {
    long id = queuedRun();
    worker(id, "resolved", "{\"sha\": \"" + SHA + "\", \"branch\": \"main\", \"gates\": []}");
    return id;
  }

  private void finish(long runId, String failureSummary) {
    worker(
        runId,
        "finish",
        "{\"result\": \"failed\", \"failure_summary\": \"" + failureSummary + "\"}");
  }

  private void worker(long runId, String path, String json) {
    HttpResponse<String> response =
        http.postJson("/internal/runs/" + runId + "/" + path, json, "Authorization", WORKER);
    assertThat(response.statusCode()).as(path + " " + response.body()).isBetween(200, 299);
  }

  private JsonNode retries(long runId) {
    return Http.json(http.get("/runs/" + runId)).path("retries");
  }

  private String builtByWorkflow(long runId) {
    return temporal
        .client()
        .newUntypedWorkflowStub(RebuildWorkflow.workflowId(runId))
        .getResult(RunOutcome.class)
        .failureSummary();
  }

  @Test
  void aLostHostIsRetriedAutomaticallyOnceAtTheSameCommitWithTheSameArgsAndPriority() {
    long lost = resolvedRun();

    finish(lost, LOST_HOST);

    JsonNode original = Http.json(http.get("/runs/" + lost));
    assertThat(original.path("failure_kind").asString()).isEqualTo("infrastructure");
    assertThat(original.path("retries")).hasSize(1);
    JsonNode link = original.path("retries").get(0);
    assertThat(link.path("retried_by").asString()).isEqualTo("automatic");
    long retry = link.path("run_id").asLong();
    assertThat(link.path("status_url").asString()).isEqualTo("/runs/" + retry);
    JsonNode view = Http.json(http.get("/runs/" + retry));
    assertThat(view.path("retry_of").asLong()).isEqualTo(lost);
    assertThat(view.path("retried_by").asString()).isEqualTo("automatic");
    assertThat(view.path("triggered_by").asString()).isEqualTo("automatic");
    assertThat(view.path("ref").asString()).isEqualTo(SHA);
    assertThat(view.path("lane").asString()).isEqualTo(REPO + "#" + SHA + "@x86_64");
    assertThat(builtByWorkflow(retry))
        .as("what reached Temporal: the commit, arch, mr, priority, target and args")
        .isEqualTo(SHA + "|x86_64|12|high|all|-j4,V=1|");
  }

  @Test
  void theSameEndReportedAgainAndAgainAtOnceStartsOneRetry() {
    long lost = resolvedRun();

    List<CompletableFuture<Void>> reports = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      reports.add(CompletableFuture.runAsync(() -> finish(lost, LOST_HOST)));
    }
    reports.forEach(CompletableFuture::join);
    finish(lost, LOST_HOST);

    assertThat(retries(lost)).hasSize(1);
    assertThat(builtByWorkflow(retries(lost).get(0).path("run_id").asLong())).startsWith(SHA);
  }

  @Test
  void anApiThatStoppedAfterRecordingTheEndRetriesOnTheWorkersRepeatedReport() {
    long lost = resolvedRun();
    // the api recorded the end, and stopped before it answered the worker
    assertThat(endings.finished(lost, Result.FAILED, LOST_HOST)).isTrue();
    assertThat(retries(lost)).isEmpty();

    finish(lost, LOST_HOST);

    assertThat(retries(lost)).hasSize(1);
    assertThat(builtByWorkflow(retries(lost).get(0).path("run_id").asLong())).startsWith(SHA);
  }

  @Test
  void anApiThatStoppedAfterRecordingTheRetryStartsItOnTheWorkersRepeatedReport() {
    long lost = resolvedRun();
    assertThat(endings.finished(lost, Result.FAILED, LOST_HOST)).isTrue();
    RunRecord failed = runs.find(lost).orElseThrow();
    // ... and stopped again, after recording the retry and before starting its workflow
    long retry =
        runs.insertAutomaticRetry(
                RetryService.retryOf(failed, RunPriority.HIGH), RunSummary.AUTOMATIC)
            .orElseThrow();

    finish(lost, LOST_HOST);

    assertThat(retries(lost)).extracting(r -> r.path("run_id").asLong()).containsExactly(retry);
    assertThat(builtByWorkflow(retry)).isEqualTo(SHA + "|x86_64|12|high|all|-j4,V=1|");
  }

  @Test
  void theAutomaticRetryFailingForTheInfrastructureAgainIsNotRetriedAgain() {
    long lost = resolvedRun();
    finish(lost, LOST_HOST);
    long retry = retries(lost).get(0).path("run_id").asLong();
    builtByWorkflow(retry);

    worker(retry, "resolved", "{\"sha\": \"" + SHA + "\", \"gates\": []}");
    finish(retry, "fetch of " + REPO + " failed: could not connect");

    assertThat(Http.json(http.get("/runs/" + retry)).path("failure_kind").asString())
        .isEqualTo("infrastructure");
    assertThat(retries(retry)).as("kiln.retry.infrastructure-attempts is 1").isEmpty();
  }

  @Test
  void buildTestTimeoutAndOutOfMemoryFailuresAreNeverRetried() {
    for (String summary :
        List.of(
            "src/a.c:1:1: error: expected ';'",
            "gate unit failed: 1 of 3 tests failed: FooTest.bar",
            "compile timed out after 20m",
            "compile killed: memory limit 1 GiB exceeded")) {
      long failed = resolvedRun();
      finish(failed, summary);
      assertThat(retries(failed)).as(summary).isEmpty();
    }
  }

  @Test
  void aRunThatNeverFetchedIsRetriedInItsLaneUnlessTheLaneHasANewerRun() {
    long unreachable = queuedRun();
    finish(unreachable, "fetch of " + REPO + " failed: could not connect");
    JsonNode retry =
        Http.json(http.get("/runs/" + retries(unreachable).get(0).path("run_id").asLong()));
    assertThat(retry.path("ref").asString()).isEqualTo("main");
    assertThat(retry.path("lane").asString()).isEqualTo(REPO + "#main@x86_64");
    assertThat(retry.path("retried_by").asString()).isEqualTo("automatic");

    long overtaken = queuedRun();
    long newer = queuedRun();
    finish(overtaken, "fetch of " + REPO + " failed: could not connect");

    assertThat(newer).isGreaterThan(overtaken);
    assertThat(retries(overtaken)).as("run %d builds the branch anyway", newer).isEmpty();
  }
}
