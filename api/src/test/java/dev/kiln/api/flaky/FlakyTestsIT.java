package dev.kiln.api.flaky;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.repos.RepoStore;
import dev.kiln.api.runs.NewRun;
import dev.kiln.api.runs.RunRepository;
import dev.kiln.api.support.Http;
import dev.kiln.api.support.KilnApp;
import dev.kiln.api.support.TestProperties;
import dev.kiln.workflows.RunPriority;
import dev.kiln.workflows.SupersedePolicy;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.List;
import java.util.stream.StreamSupport;
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
 * Flaky runs and flaky tests over real HTTP and PostgreSQL: runs reported as a build host reports
 * them (resolved, tests, gate, finish), a retry's end marks it flaky, and {@code GET
 * /repos/{id}/flaky-tests} counts the tests that failed and then passed.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
class FlakyTestsIT {

  static final String WORKER = "Bearer " + TestProperties.TOKEN;
  static final String SHA = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";
  static final String OTHER_SHA = "9f1c2ab09f1c2ab09f1c2ab09f1c2ab09f1c2ab0";

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) throws IOException {
    KilnApp.register(registry, Files.createTempDirectory("kiln-home"));
    // no test here starts a workflow: the runs are recorded as the ledger records them
    registry.add("kiln.temporal.address", () -> "localhost:1");
    // the one automatic retry here gives up starting soon
    registry.add("kiln.temporal.start-timeout", () -> "1s");
  }

  @LocalServerPort int port;
  @Autowired RunRepository runs;
  @Autowired RepoStore repos;
  Http http;

  @BeforeEach
  void client() {
    http = new Http(port);
  }

  private long register(String url) {
    return repos
        .insert(
            new RepoStore.Settings(
                url,
                List.of("**"),
                List.of("x86_64"),
                RunPriority.NORMAL,
                null,
                List.of(),
                List.of()),
            "webhook-secret",
            "test")
        .id();
  }

  /**
   * A run of {@code repo}'s main, or a retry of {@code retryOf} pinned to its commit as {@code POST
   * /runs/{id}/retry} records it, reported through {@code /internal} as a build host reports it:
   * resolved to {@code sha}, its gate {@code unit}'s tests, the gate and the end.
   *
   * @param tests {@code name=passed|failed}, in suite {@code calc.CalcTest}
   */
  private long run(String repo, Long retryOf, String sha, String... tests) {
    String ref = retryOf == null ? "main" : sha;
    long id =
        runs.insert(
                new NewRun(
                    repo,
                    ref,
                    "x86_64",
                    repo + "#" + ref + "@x86_64",
                    null,
                    RunPriority.NORMAL,
                    true,
                    null,
                    List.of(),
                    null,
                    "main",
                    SupersedePolicy.CANCEL_RUNNING,
                    retryOf),
                "loopback")
            .orElseThrow();
    worker(
        id,
        "resolved",
        "{\"sha\": \"" + sha + "\", \"branch\": \"main\", \"gates\": [{\"name\": \"unit\"}]}");
    StringBuilder entries = new StringBuilder();
    int failed = 0;
    for (String test : tests) {
      String[] nameAndStatus = test.split("=");
      failed += nameAndStatus[1].equals("failed") ? 1 : 0;
      entries
          .append(entries.isEmpty() ? "" : ", ")
          .append(
              "{\"suite\": \"calc.CalcTest\", \"name\": \"%s\", \"status\": \"%s\"}"
                  .formatted(nameAndStatus[0], nameAndStatus[1]));
    }
    worker(id, "gates/unit/tests", "{\"first\": 0, \"total\": 0, \"tests\": [" + entries + "]}");
    String counts =
        "{\"total\": %d, \"failed\": %d, \"skipped\": 0}".formatted(tests.length, failed);
    if (failed > 0) {
      String summary = failed + " of " + tests.length + " tests failed";
      worker(
          id,
          "gates/unit",
          "{\"status\": \"failed\", \"summary\": \"" + summary + "\", \"tests\": " + counts + "}");
      worker(
          id,
          "finish",
          "{\"result\": \"failed\", \"failure_summary\": \"gate unit failed: " + summary + "\"}");
    } else {
      worker(id, "gates/unit", "{\"status\": \"passed\", \"tests\": " + counts + "}");
      worker(id, "finish", "{\"result\": \"passed\"}");
    }
    return id;
  }

  private void worker(long runId, String path, String json) {
    HttpResponse<String> response =
        http.postJson("/internal/runs/" + runId + "/" + path, json, "Authorization", WORKER);
    assertThat(response.statusCode()).as(path + " " + response.body()).isBetween(200, 299);
  }

  private JsonNode view(long runId) {
    return Http.json(http.get("/runs/" + runId));
  }

  @Test
  void aRetryThatPassesWhereItsRunFailedOnTheSameCommitIsFlakyAndTheTestsThatFlakedAreCounted() {
    String repo = "https://git.example.com/team/flaky.git";
    long repoId = register(repo);

    long failed = run(repo, null, SHA, "adds=failed", "subtracts=passed", "divides=failed");
    long retry = run(repo, failed, SHA, "adds=passed", "subtracts=passed", "divides=failed");
    long failedAgain = run(repo, null, SHA, "adds=failed", "subtracts=passed", "divides=passed");
    long retriedAgain = run(repo, failedAgain, SHA, "adds=passed", "subtracts=passed");

    JsonNode failingRetry = view(retry);
    assertThat(failingRetry.path("result").asString()).isEqualTo("failed");
    assertThat(failingRetry.path("flaky").asBoolean()).isFalse();
    JsonNode flakyRetry = view(retriedAgain);
    assertThat(flakyRetry.path("result").asString()).isEqualTo("passed");
    assertThat(flakyRetry.path("flaky").asBoolean()).isTrue();
    assertThat(flakyRetry.path("retry_of").asLong()).isEqualTo(failedAgain);
    assertThat(flakyRetry.path("retried_by").asString()).isEqualTo("loopback");
    JsonNode original = view(failedAgain);
    assertThat(original.path("flaky").asBoolean()).isFalse();
    assertThat(original.path("retries")).hasSize(1);
    assertThat(original.path("retries").get(0).path("run_id").asLong()).isEqualTo(retriedAgain);
    assertThat(original.path("retries").get(0).path("flaky").asBoolean()).isTrue();
    assertThat(original.path("retries").get(0).path("status_url").asString())
        .isEqualTo("/runs/" + retriedAgain);

    HttpResponse<String> answer = http.get("/repos/" + repoId + "/flaky-tests");
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    JsonNode listed = Http.json(answer);
    assertThat(listed.path("repo_id").asLong()).isEqualTo(repoId);
    assertThat(listed.path("url").asString()).isEqualTo(repo);
    // "divides" failed in the first retry too, and "subtracts" never failed
    assertThat(listed.path("tests")).hasSize(1);
    JsonNode adds = listed.path("tests").get(0);
    assertThat(adds.path("gate").asString()).isEqualTo("unit");
    assertThat(adds.path("suite").asString()).isEqualTo("calc.CalcTest");
    assertThat(adds.path("name").asString()).isEqualTo("adds");
    assertThat(adds.path("times_flaky").asInt())
        .as("the failing retry made no flake, the passing one did")
        .isEqualTo(1);
    assertThat(adds.path("last_seen").path("run_id").asLong()).isEqualTo(retriedAgain);
    assertThat(adds.path("last_seen").path("failed_run_id").asLong()).isEqualTo(failedAgain);
    assertThat(adds.path("last_seen").path("status_url").asString())
        .isEqualTo("/runs/" + retriedAgain);

    long third = run(repo, null, SHA, "adds=failed", "divides=failed");
    long thirdRetry = run(repo, third, SHA, "adds=passed", "divides=passed");
    JsonNode counted = Http.json(http.get("/repos/" + repoId + "/flaky-tests"));
    assertThat(counted.path("tests"))
        .extracting(t -> t.path("name").asString() + "=" + t.path("times_flaky").asInt())
        .containsExactly("adds=2", "divides=1");
    assertThat(counted.path("tests").get(0).path("last_seen").path("run_id").asLong())
        .isEqualTo(thirdRetry);
  }

  @Test
  void theLaneOfAFailedRunWhoseRetryFlakedIsFlakyNotPlainlyRedOrGreen() {
    String repo = "https://git.example.com/team/flaky-lane.git";
    register(repo);
    long failed = run(repo, null, SHA, "adds=failed");
    long retry = run(repo, failed, SHA, "adds=passed");

    JsonNode state = Http.json(http.get("/state"));
    JsonNode branchLane = lane(state, repo + "#main@x86_64");
    assertThat(branchLane.path("run_id").asLong()).isEqualTo(failed);
    assertThat(branchLane.path("result").asString()).isEqualTo("failed");
    assertThat(branchLane.path("flaky").asBoolean()).isTrue();
    assertThat(branchLane.path("retry_run_id").asLong()).isEqualTo(retry);
    JsonNode pinnedLane = lane(state, repo + "#" + SHA + "@x86_64");
    assertThat(pinnedLane.path("run_id").asLong()).isEqualTo(retry);
    assertThat(pinnedLane.path("flaky").asBoolean()).isTrue();

    long next = run(repo, null, SHA, "adds=passed");
    JsonNode green = lane(Http.json(http.get("/state")), repo + "#main@x86_64");
    assertThat(green.path("run_id").asLong()).isEqualTo(next);
    assertThat(green.path("flaky").asBoolean()).as("a plain pass").isFalse();
    assertThat(green.path("retry_run_id").isNull()).isTrue();
  }

  private static JsonNode lane(JsonNode state, String lane) {
    return StreamSupport.stream(state.spliterator(), false)
        .filter(l -> l.path("lane").asString().equals(lane))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no lane " + lane + " in " + state));
  }

  @Test
  void aPassingRetryOfAnotherCommitOrOfAnInfrastructureFailureIsNoFlake() {
    String repo = "https://git.example.com/team/not-flaky.git";
    long repoId = register(repo);
    long failed = run(repo, null, SHA, "adds=failed");
    long otherCommit = run(repo, failed, OTHER_SHA, "adds=passed");

    long lostHost =
        runs.insert(
                new NewRun(
                    repo,
                    "main",
                    "x86_64",
                    repo + "#main@x86_64",
                    null,
                    RunPriority.NORMAL,
                    true,
                    null,
                    List.of(),
                    null))
            .orElseThrow();
    worker(lostHost, "resolved", "{\"sha\": \"" + SHA + "\", \"gates\": []}");
    worker(
        lostHost,
        "finish",
        "{\"result\": \"failed\", \"failure_summary\": \"build host lost 5 times; last: h: x\"}");
    JsonNode automatic = view(lostHost).path("retries");

    assertThat(view(otherCommit).path("result").asString()).isEqualTo("passed");
    assertThat(view(otherCommit).path("flaky").asBoolean()).isFalse();
    assertThat(automatic).as("retried automatically (its start fails: no Temporal)").hasSize(1);
    assertThat(automatic.get(0).path("retried_by").asString()).isEqualTo("automatic");
    assertThat(automatic.get(0).path("flaky").asBoolean()).isFalse();
    assertThat(Http.json(http.get("/repos/" + repoId + "/flaky-tests")).path("tests")).isEmpty();
  }

  @Test
  void anUnknownRepositoryIs404AndABadIdOrLimitIs400AsProblems() {
    HttpResponse<String> unknown = http.get("/repos/999999/flaky-tests");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
    assertThat(Http.json(unknown).path("detail").asString())
        .isEqualTo("repository 999999 is not registered");

    HttpResponse<String> badId = http.get("/repos/x1/flaky-tests");
    assertThat(badId.statusCode()).isEqualTo(400);
    assertThat(Http.json(badId).path("detail").asString())
        .isEqualTo("repository id \"x1\" is not a positive integer");

    long repoId = register("https://git.example.com/team/limits.git");
    HttpResponse<String> badLimit = http.get("/repos/" + repoId + "/flaky-tests?limit=0");
    assertThat(badLimit.statusCode()).isEqualTo(400);
    assertThat(badLimit.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
    assertThat(Http.json(badLimit).path("detail").asString())
        .isEqualTo("limit: must be between 1 and 1000, got 0");
  }
}
