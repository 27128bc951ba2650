package dev.kiln.api.runs;

import static dev.kiln.api.support.Runs.newRun;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.support.Http;
import dev.kiln.api.support.KilnApp;
import dev.kiln.api.support.TestProperties;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
 * Per-test results from the build host to the run view and {@code GET /runs/{id}/tests}, over real
 * HTTP and PostgreSQL.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
class TestResultsIT {

  private static final String AUTH = "Bearer " + TestProperties.TOKEN;
  private static final String SHA = "9f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c";

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) throws IOException {
    Path home = Files.createTempDirectory("kiln-home");
    KilnApp.register(registry, home);
    registry.add("kiln.temporal.address", () -> "localhost:1");
  }

  @LocalServerPort int port;
  @Autowired RunRepository runs;
  private Http http;

  @BeforeEach
  void client() {
    http = new Http(port);
  }

  /** A run resolved with the gates {@code unit} and {@code lint}. */
  private long resolvedRun() {
    long id = runs.insert(newRun("https://example.com/app.git", "main", "x86_64")).orElseThrow();
    HttpResponse<String> resolved =
        post(
            id,
            "resolved",
            "{\"sha\": \"" + SHA + "\", \"gates\": [{\"name\": \"unit\"}, {\"name\": \"lint\"}]}");
    assertThat(resolved.statusCode()).isEqualTo(204);
    return id;
  }

  private HttpResponse<String> post(long runId, String path, String json) {
    return http.postJson("/internal/runs/" + runId + "/" + path, json, "Authorization", AUTH);
  }

  private HttpResponse<String> part(long runId, String gate, int first, List<String> tests) {
    return post(
        runId,
        "gates/" + gate + "/tests",
        "{\"first\": " + first + ", \"total\": 0, \"tests\": [" + String.join(", ", tests) + "]}");
  }

  private static String passed(String name) {
    return "{\"suite\": \"calc\", \"name\": \""
        + name
        + "\", \"status\": \"passed\", \"duration_ms\": 3}";
  }

  private static String failed(String name, int line) {
    return ("{\"suite\": \"example.com/calc\", \"name\": \"%s\", \"status\": \"failed\","
            + " \"duration_ms\": 1, \"message\": \"Add(2, 3) = -1, want 5\","
            + " \"file\": \"calc_test.go\", \"line\": %d}")
        .formatted(name, line);
  }

  @Test
  void theRunViewListsEachGatesFirstFiftyFailuresWithMessageFileAndLine() {
    long id = resolvedRun();
    List<String> first = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      first.add(i % 5 == 0 ? failed("TestFails" + i, i + 1) : passed("TestPasses" + i));
    }
    List<String> second = new ArrayList<>();
    for (int i = 500; i < 520; i++) {
      second.add(passed("TestPasses" + i));
    }

    assertThat(part(id, "unit", 0, first).statusCode()).isEqualTo(204);
    assertThat(part(id, "unit", 500, second).statusCode()).isEqualTo(204);
    JsonNode view = Http.json(http.get("/runs/" + id));

    JsonNode unit = view.path("gates").get(0);
    assertThat(unit.path("failures")).hasSize(50);
    JsonNode firstFailure = unit.path("failures").get(0);
    assertThat(firstFailure.path("name").asString()).isEqualTo("TestFails0");
    assertThat(firstFailure.path("suite").asString()).isEqualTo("example.com/calc");
    assertThat(firstFailure.path("message").asString()).isEqualTo("Add(2, 3) = -1, want 5");
    assertThat(firstFailure.path("file").asString()).isEqualTo("calc_test.go");
    assertThat(firstFailure.path("line").asInt()).isEqualTo(1);
    assertThat(unit.path("failures").get(49).path("name").asString()).isEqualTo("TestFails245");
    assertThat(view.path("gates").get(1).path("failures")).isEmpty();
  }

  @Test
  void testsAreListedFilteredByStatusAndGateAndPaged() {
    long id = resolvedRun();
    part(id, "unit", 0, List.of(passed("a"), failed("b", 7), passed("c"), failed("d", 9)));
    part(id, "lint", 0, List.of(failed("style", 2)));

    JsonNode all = Http.json(http.get("/runs/" + id + "/tests"));
    JsonNode failedInUnit = Http.json(http.get("/runs/" + id + "/tests?status=failed&gate=unit"));
    JsonNode page = Http.json(http.get("/runs/" + id + "/tests?status=failed&limit=2"));
    JsonNode next = Http.json(http.get(page.path("next").asString()));

    assertThat(all.path("tests")).hasSize(5);
    assertThat(all.path("tests").get(0).path("duration_ms").asLong()).isEqualTo(3);
    assertThat(all.path("next").isNull()).isTrue();
    assertThat(failedInUnit.path("tests"))
        .extracting(t -> t.path("name").asString())
        .containsExactly("b", "d");
    assertThat(page.path("tests"))
        .extracting(t -> t.path("name").asString())
        .containsExactly("b", "d");
    assertThat(page.path("next").asString())
        .isEqualTo("/runs/" + id + "/tests?status=failed&limit=2&offset=2");
    assertThat(next.path("tests"))
        .extracting(t -> t.path("gate").asString() + ":" + t.path("name").asString())
        .containsExactly("lint:style");
  }

  @Test
  void aGateReportedAgainReplacesItsEarlierTestsAndAFinishedRunKeepsItsOwn() {
    long id = resolvedRun();
    part(id, "unit", 0, List.of(failed("old1", 1), failed("old2", 2), failed("old3", 3)));
    part(id, "unit", 0, List.of(passed("new1"), failed("new2", 4)));
    assertThat(post(id, "finish", "{\"result\": \"failed\"}").statusCode()).isEqualTo(200);

    HttpResponse<String> late = part(id, "unit", 0, List.of(passed("late")));
    JsonNode tests = Http.json(http.get("/runs/" + id + "/tests"));

    assertThat(late.statusCode()).isEqualTo(204);
    assertThat(tests.path("tests"))
        .extracting(t -> t.path("name").asString())
        .containsExactly("new1", "new2");
  }

  @Test
  void badReportsAndQueriesAreRefusedWithTheFieldNamed() {
    long id = resolvedRun();

    HttpResponse<String> badStatus =
        part(id, "unit", 0, List.of("{\"name\": \"x\", \"status\": \"ok\"}"));
    HttpResponse<String> noName = part(id, "unit", 0, List.of("{\"status\": \"passed\"}"));
    HttpResponse<String> negative = part(id, "unit", -1, List.of());
    HttpResponse<String> unknownRun = part(999_999, "unit", 0, List.of(passed("a")));
    HttpResponse<String> badQuery = http.get("/runs/" + id + "/tests?status=broken");
    HttpResponse<String> badLimit = http.get("/runs/" + id + "/tests?limit=0");

    assertThat(badStatus.statusCode()).isEqualTo(400);
    assertThat(Http.json(badStatus).path("detail").asString())
        .isEqualTo("tests[0].status: \"ok\" is not one of passed, failed, skipped");
    assertThat(Http.json(noName).path("detail").asString()).isEqualTo("tests[0].name is required");
    assertThat(negative.statusCode()).isEqualTo(400);
    assertThat(unknownRun.statusCode()).isEqualTo(404);
    assertThat(badQuery.statusCode()).isEqualTo(400);
    assertThat(Http.json(badQuery).path("detail").asString())
        .isEqualTo("status: \"broken\" is not one of passed, failed, skipped");
    assertThat(badLimit.statusCode()).isEqualTo(400);
    assertThat(http.get("/runs/999999/tests").statusCode()).isEqualTo(404);
  }
}
