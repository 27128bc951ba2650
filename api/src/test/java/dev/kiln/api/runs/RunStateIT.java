package dev.kiln.api.runs;

import static dev.kiln.api.support.Runs.newRun;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.api.support.Http;
import dev.kiln.api.support.RunningApi;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** {@code GET /state}, {@code GET /mr-task/{mr}} and {@code GET /runs} over HTTP. */
class RunStateIT extends RunningApi {

  @Autowired JdbcClient jdbc;

  private JsonNode laneState(String lane) {
    HttpResponse<String> response = http.get("/state");
    assertThat(response.statusCode()).isEqualTo(200);
    return StreamSupport.stream(Http.json(response).spliterator(), false)
        .filter(n -> n.path("lane").asString().equals(lane))
        .reduce(
            (a, b) -> {
              throw new AssertionError("lane listed twice: " + lane);
            })
        .orElseThrow(() -> new AssertionError("lane not listed: " + lane));
  }

  private void queuedSecondsAgo(long id, int seconds) {
    jdbc.sql("UPDATE runs SET queued_at = now() - make_interval(secs => :s) WHERE id = :id")
        .param("s", seconds)
        .param("id", id)
        .update();
  }

  @Test
  void stateShowsTheNewestRunOfEachLaneWithElapsedGrowingWhileBuildingAndFrozenAfter() {
    String repo = "https://example.com/state.git";
    long older = queuedRun(repo);
    finish(older, "passed", null);
    long id = queuedRun(repo);
    long otherLane = runs.insert(newRun(repo, "main", "aarch64")).orElseThrow();
    queuedSecondsAgo(id, 100);
    phase(id, "compiling");
    worker(
        "/internal/runs/" + id + "/resolved",
        "{\"sha\": \"9f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c\", \"branch\": \"main\","
            + " \"gates\": []}");

    JsonNode building = laneState(repo + "#main@x86_64");
    assertThat(building.path("run_id").asLong()).isEqualTo(id);
    assertThat(building.path("sha").asString())
        .isEqualTo("9f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c");
    assertThat(building.path("phase").asString()).isEqualTo("compiling");
    assertThat(building.path("result").asString()).isEqualTo("building");
    assertThat(building.path("failure_summary").isNull()).isTrue();
    long first = building.path("elapsed_s").asLong();
    assertThat(first).isGreaterThanOrEqualTo(100);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> laneState(repo + "#main@x86_64").path("elapsed_s").asLong() > first);
    assertThat(laneState(repo + "#main@aarch64").path("run_id").asLong()).isEqualTo(otherLane);

    finish(id, "failed", "unit: 2 of 212 tests failed");
    JsonNode done = laneState(repo + "#main@x86_64");
    assertThat(done.path("result").asString()).isEqualTo("failed");
    assertThat(done.path("phase").asString()).isEqualTo("done");
    assertThat(done.path("failure_summary").asString()).isEqualTo("unit: 2 of 212 tests failed");
    long frozen = done.path("elapsed_s").asLong();
    // a second later it has not moved
    await()
        .pollDelay(Duration.ofMillis(1100))
        .atMost(Duration.ofSeconds(5))
        .until(() -> laneState(repo + "#main@x86_64").path("elapsed_s").asLong() == frozen);
  }

  @Test
  void mrTaskListsTheMergeRequestsRunsNewestFirst() {
    String repo = "https://example.com/mr.git";
    long a = runs.insert(newRun(repo, "feature/a", "x86_64", "4711", null)).orElseThrow();
    assertThat(runs.insert(newRun(repo, "feature/b", "x86_64", "4712", null))).isPresent();
    long b = runs.insert(newRun(repo, "feature/a", "aarch64", "4711", null)).orElseThrow();

    HttpResponse<String> response = http.get("/mr-task/4711");
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode body = Http.json(response);
    assertThat(body.path("mr").asString()).isEqualTo("4711");
    List<Long> ids = new ArrayList<>();
    body.path("runs").forEach(r -> ids.add(r.path("run_id").asLong()));
    assertThat(ids).containsExactly(b, a);
  }

  @Test
  void mrTaskWithoutRunsIs404WithTheMessage() {
    HttpResponse<String> response = http.get("/mr-task/no-such-mr");
    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
    assertThat(Http.json(response).path("message").asString())
        .isEqualTo("No builds found for the given MR");
  }

  @Test
  void listingPagesThroughFiveHundredRunsWithFiltersAndNextLinks() {
    String repo = "https://example.com/many-" + System.nanoTime() + ".git";
    Instant start = Instant.now().minusSeconds(1);
    List<Long> x86Failed = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      String arch = i % 2 == 0 ? "x86_64" : "aarch64";
      long id =
          runs.insert(newRun(repo, i % 5 == 0 ? "dev" : "main", arch, "mr-" + (i % 7), null))
              .orElseThrow();
      if (i % 3 == 0) {
        runs.finish(id, dev.kiln.workflows.Result.FAILED, "x");
        if (arch.equals("x86_64")) {
          x86Failed.add(id);
        }
      }
    }

    List<Long> all = pageThrough("/runs?limit=200&repo=" + encode(repo), 3);
    assertThat(all)
        .hasSize(500)
        .doesNotHaveDuplicates()
        .isSortedAccordingTo((p, q) -> q.compareTo(p));

    List<Long> filtered =
        pageThrough(
            "/runs?limit=50&arch=amd64&result=failed&since="
                + encode(start.toString())
                + "&repo="
                + encode(repo),
            -1);
    java.util.Collections.reverse(x86Failed);
    assertThat(filtered).containsExactlyElementsOf(x86Failed);

    List<Long> byBranchAndMr =
        pageThrough("/runs?limit=10&branch=dev&mr=mr-0&repo=" + encode(repo), -1);
    // i % 5 == 0 and i % 7 == 0: i = 0, 35, ..., 490
    assertThat(byBranchAndMr).hasSize(15);
  }

  /** Follows {@code next} links; asserts the page count when {@code pages >= 0}. */
  private List<Long> pageThrough(String first, int pages) {
    List<Long> ids = new ArrayList<>();
    String next = first;
    int count = 0;
    while (next != null) {
      HttpResponse<String> response = http.get(next);
      assertThat(response.statusCode()).as(next).isEqualTo(200);
      JsonNode body = Http.json(response);
      body.path("runs").forEach(r -> ids.add(r.path("run_id").asLong()));
      next =
          body.path("next").isNull() || body.path("next").isMissingNode()
              ? null
              : body.path("next").asString();
      count++;
    }
    if (pages >= 0) {
      assertThat(count).isEqualTo(pages);
    }
    return ids;
  }

  private static String encode(String s) {
    return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
  }
}
