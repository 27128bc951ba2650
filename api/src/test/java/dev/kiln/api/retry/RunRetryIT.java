package dev.kiln.api.retry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.runs.NewRun;
import dev.kiln.api.runs.RunRepository;
import dev.kiln.api.support.Http;
import dev.kiln.api.support.KilnApp;
import dev.kiln.api.support.TestProperties;
import dev.kiln.api.support.TestTemporal;
import dev.kiln.workflows.RebuildRequest;
import dev.kiln.workflows.Result;
import dev.kiln.workflows.RunOutcome;
import dev.kiln.workflows.RunPriority;
import dev.kiln.workflows.TaskQueues;
import dev.kiln.workflows.lane.LaneWorkflowImpl;
import dev.kiln.workflows.rebuild.RebuildWorkflow;
import dev.kiln.workflows.rebuild.RunProgress;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.List;
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
 * {@code POST /runs/{id}/retry} through the whole api against Temporal's test server: the request
 * that reaches Temporal is the original's, pinned to the commit it resolved.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
class RunRetryIT {

  static final String REPO = "https://git.example.com/team/retry.git";
  static final String SHA = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";
  static final String WORKER = "Bearer " + TestProperties.TOKEN;

  private static TestTemporal temporal;

  /** Reports what it was asked to build as its outcome's summary. */
  public static class EchoRebuildWorkflow implements RebuildWorkflow {

    @Override
    public RunOutcome build(RebuildRequest r) {
      return new RunOutcome(
          Result.PASSED,
          String.join(
              "|",
              r.ref(),
              r.arch(),
              String.valueOf(r.mr()),
              r.priority(),
              String.valueOf(r.target()),
              String.join(",", r.args()),
              String.join(",", r.requires())));
    }

    @Override
    public RunProgress progress() {
      return null;
    }

    @Override
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
  }

  @AfterAll
  static void stopTemporal() {
    temporal.close();
  }

  @LocalServerPort int port;
  @Autowired RunRepository runs;
  Http http;

  @BeforeEach
  void client() {
    http = new Http(port);
  }

  /** A run of main, recorded as a worker reports it: resolved to {@link #SHA}, then ended. */
  private long endedRun(String result, String failureSummary) {
    long id =
        runs.insert(
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
    worker(
        "/internal/runs/" + id + "/resolved",
        "{\"sha\": \"" + SHA + "\", \"branch\": \"main\", \"gates\": []}");
    if (result != null) {
      worker(
          "/internal/runs/" + id + "/finish",
          "{\"result\": \"" + result + "\", \"failure_summary\": \"" + failureSummary + "\"}");
    }
    return id;
  }

  private void worker(String path, String json) {
    HttpResponse<String> response = http.postJson(path, json, "Authorization", WORKER);
    assertThat(response.statusCode()).as(path + " " + response.body()).isBetween(200, 299);
  }

  @Test
  void aRetryBuildsTheFailedRunsCommitArgsAndPriorityAgainAndNamesTheRunItRetries() {
    long failed = endedRun("failed", "gate unit failed: 1 of 3 tests failed: FooTest.bar");
    JsonNode original = Http.json(http.get("/runs/" + failed));
    assertThat(original.path("failure_kind").asString()).isEqualTo("test");
    assertThat(original.path("retry_of").isNull()).isTrue();

    HttpResponse<String> answer = http.postJson("/runs/" + failed + "/retry", "");

    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
    long retry = Http.json(answer).path("run_id").asLong();
    assertThat(retry).isNotEqualTo(failed);
    assertThat(answer.headers().firstValue("Location")).contains("/runs/" + retry);
    JsonNode view = Http.json(http.get("/runs/" + retry));
    assertThat(view.path("retry_of").asLong()).isEqualTo(failed);
    assertThat(view.path("ref").asString()).isEqualTo(SHA);
    assertThat(view.path("branch").asString()).isEqualTo("main");
    assertThat(view.path("mr").asString()).isEqualTo("12");
    assertThat(view.path("priority").asString()).isEqualTo("high");
    assertThat(view.path("lane").asString())
        .as("pinned to a commit, it builds outside main's lane")
        .isEqualTo(REPO + "#" + SHA + "@x86_64");
    RunOutcome outcome =
        temporal
            .client()
            .newUntypedWorkflowStub(RebuildWorkflow.workflowId(retry))
            .getResult(RunOutcome.class);
    assertThat(outcome.failureSummary()).isEqualTo(SHA + "|x86_64|12|high|all|-j4,V=1|");
  }

  @Test
  void aRetryRequiresTheLabelsTheRunAskedForAndThoseItsKilnYamlAdded() {
    long id =
        runs.insert(
                new NewRun(
                        REPO,
                        "main",
                        "x86_64",
                        REPO + "#main@x86_64",
                        null,
                        RunPriority.NORMAL,
                        true,
                        null,
                        List.of(),
                        null)
                    .withRequires(List.of("big-memory")))
            .orElseThrow();
    worker(
        "/internal/runs/" + id + "/resolved",
        "{\"sha\": \"" + SHA + "\", \"branch\": \"main\", \"gates\": []}");
    worker("/internal/runs/" + id + "/requires", "{\"labels\": [\"jdk21\"]}");
    worker("/internal/runs/" + id + "/finish", "{\"result\": \"passed\"}");

    HttpResponse<String> answer = http.postJson("/runs/" + id + "/retry", "");

    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
    long retry = Http.json(answer).path("run_id").asLong();
    assertThat(runs.requiresOf(retry)).containsExactly("big-memory", "jdk21");
    RunOutcome outcome =
        temporal
            .client()
            .newUntypedWorkflowStub(RebuildWorkflow.workflowId(retry))
            .getResult(RunOutcome.class);
    assertThat(outcome.failureSummary()).endsWith("|big-memory,jdk21");
  }

  @Test
  void aRunStillBuildingIs409AndAnUnknownRunIs404() {
    long building = endedRun(null, null);
    HttpResponse<String> refused = http.postJson("/runs/" + building + "/retry", "");
    assertThat(refused.statusCode()).isEqualTo(409);
    assertThat(Http.json(refused).path("detail").asString())
        .isEqualTo(
            "run " + building + " is still building; wait for its end or cancel it, then retry");
    assertThat(Http.json(refused).path("result").asString()).isEqualTo("building");

    assertThat(http.postJson("/runs/999999/retry", "").statusCode()).isEqualTo(404);
  }

  @Test
  void everyFailedRunSaysWhatKindOfFailureItWasAndOtherRunsSayNothing() {
    assertThat(kind(endedRun("failed", "compile timed out after 20m"))).isEqualTo("timeout");
    assertThat(kind(endedRun("failed", "src/a.c:1:1: error: expected ';'"))).isEqualTo("build");
    assertThat(kind(endedRun("failed", "git fetch failed: connection refused")))
        .isEqualTo("infrastructure");
    assertThat(kind(endedRun("failed", "compile killed: memory limit 1 GiB exceeded")))
        .isEqualTo("oom");
    JsonNode passed = Http.json(http.get("/runs/" + endedRun("passed", "")));
    assertThat(passed.has("failure_kind")).isTrue();
    assertThat(passed.path("failure_kind").isNull()).isTrue();
  }

  private String kind(long runId) {
    return Http.json(http.get("/runs/" + runId)).path("failure_kind").asString();
  }
}
