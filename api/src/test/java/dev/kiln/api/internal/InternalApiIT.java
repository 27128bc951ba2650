package dev.kiln.api.internal;

import static dev.kiln.api.support.Runs.newRun;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.runs.RunRepository;
import dev.kiln.api.runs.RunViewRepository;
import dev.kiln.api.support.Http;
import dev.kiln.api.support.KilnApp;
import dev.kiln.api.support.TestProperties;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
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
 * A worker's view of the api: everything docs/internal-api.md promises, over real HTTP, in the
 * order a run reports it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
class InternalApiIT {

  private static final String AUTH = "Bearer " + TestProperties.TOKEN;
  private static final String SHA = "9f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c";

  private static Path home;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) throws IOException {
    home = Files.createTempDirectory("kiln-home");
    KilnApp.register(registry, home);
    // nothing here talks to Temporal
    registry.add("kiln.temporal.address", () -> "localhost:1");
  }

  @LocalServerPort int port;
  @Autowired RunRepository runs;
  @Autowired RunViewRepository details;
  private Http http;

  @BeforeEach
  void client() {
    http = new Http(port);
  }

  private long queuedRun() {
    return runs.insert(newRun("https://example.com/app.git", "main", "x86_64")).orElseThrow();
  }

  private HttpResponse<String> post(String path, String json) {
    return http.postJson(path, json, "Authorization", AUTH);
  }

  private HttpResponse<String> putArtifact(long runId, String path, byte[] data, String sha) {
    return http.send(
        http.request("/internal/runs/" + runId + "/artifacts?path=" + path)
            .header("Authorization", AUTH)
            .header("Content-Type", "application/octet-stream")
            .header("X-Kiln-Sha256", sha)
            .PUT(HttpRequest.BodyPublishers.ofByteArray(data))
            .build());
  }

  private static String sha256(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }

  private static String chunk(long seq, String step, String text) {
    return "{\"seq\": %d, \"step\": \"%s\", \"offset\": 0, \"ts\": \"2026-01-01T00:00:00Z\", \"data\": \"%s\"}"
        .formatted(
            seq, step, Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void refusesEveryInternalEndpointWithoutTheToken() {
    long id = queuedRun();
    HttpResponse<String> noToken =
        http.postJson("/internal/runs/" + id + "/phase", "{\"phase\": \"fetching\"}");
    HttpResponse<String> wrongToken =
        http.postJson(
            "/internal/runs/" + id + "/logs", "{\"chunks\": []}", "Authorization", "Bearer nope");
    HttpResponse<String> artifact =
        http.send(
            http.request("/internal/runs/" + id + "/artifacts?path=a")
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[] {1}))
                .build());

    for (HttpResponse<String> response : new HttpResponse[] {noToken, wrongToken, artifact}) {
      assertThat(response.statusCode()).isEqualTo(401);
      assertThat(response.headers().firstValue("Content-Type"))
          .contains("application/problem+json");
    }
    assertThat(Http.json(http.get("/runs/" + id)).path("phase").asString()).isEqualTo("queued");
  }

  @Test
  void noSpellingOfTheInternalPathGetsAroundTheToken() {
    long id = queuedRun();
    for (String path :
        new String[] {
          "/%69nternal/runs/" + id + "/phase",
          "/internal;x=1/runs/" + id + "/phase",
          "/internal/runs/" + id + ";x=1/phase",
          "/internal/./runs/" + id + "/phase"
        }) {
      HttpResponse<String> response =
          http.send(
              http.request("/")
                  .uri(java.net.URI.create("http://localhost:" + port + path))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"phase\": \"fetching\"}"))
                  .build());
      // a path with ;parameters is refused before anyone looks at it (400); the others are 401
      assertThat(response.statusCode()).as(path).isIn(400, 401);
      assertThat(response.headers().firstValue("Content-Type"))
          .contains("application/problem+json");
    }
    assertThat(Http.json(http.get("/runs/" + id)).path("phase").asString()).isEqualTo("queued");
  }

  @Test
  void aResolutionNamingAPhaseMovesTheRunToItWithTheGatesPending() {
    long id = queuedRun();

    HttpResponse<String> resolved =
        post(
            "/internal/runs/" + id + "/resolved",
            "{\"sha\": \""
                + SHA
                + "\", \"gates\": [{\"name\": \"unit\", \"required\": true}],"
                + " \"phase\": \"compiling\"}");

    assertThat(resolved.statusCode()).isEqualTo(204);
    JsonNode view = Http.json(http.get("/runs/" + id));
    assertThat(view.path("phase").asString()).isEqualTo("compiling");
    assertThat(view.path("sha").asString()).isEqualTo(SHA);
    assertThat(view.path("gates").get(0).path("status").asString()).isEqualTo("pending");
  }

  @Test
  void aGateThatStartsMovesACompilingRunToGatingAndAGatingOrEndedRunNowhere() {
    long id = queuedRun();
    String run = "/internal/runs/" + id;
    post(
        run + "/resolved",
        "{\"sha\": \""
            + SHA
            + "\", \"gates\": [{\"name\": \"unit\", \"required\": true},"
            + " {\"name\": \"lint\", \"required\": false}], \"phase\": \"compiling\"}");

    post(run + "/gates/unit", "{\"status\": \"running\", \"summary\": null, \"tests\": null}");
    JsonNode gating = Http.json(http.get("/runs/" + id));
    assertThat(gating.path("phase").asString()).isEqualTo("gating");
    assertThat(gating.path("gates").get(0).path("status").asString()).isEqualTo("running");

    post(run + "/gates/unit", "{\"status\": \"passed\", \"summary\": \"ok\", \"tests\": null}");
    post(run + "/finish", "{\"result\": \"passed\", \"failure_summary\": null}");
    post(run + "/gates/lint", "{\"status\": \"running\", \"summary\": null, \"tests\": null}");
    assertThat(Http.json(http.get("/runs/" + id)).path("phase").asString()).isEqualTo("done");
  }

  @Test
  void answersAnUnknownRunWith404() {
    HttpResponse<String> response =
        post("/internal/runs/999999/phase", "{\"phase\": \"fetching\"}");
    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(Http.json(response).path("detail").asString())
        .isEqualTo("run 999999 does not exist");
  }

  @Test
  void recordsARunFromPhaseToFinishAsAWorkerReportsIt() throws Exception {
    long id = queuedRun();
    String run = "/internal/runs/" + id;

    assertThat(post(run + "/phase", "{\"phase\": \"fetching\"}").statusCode()).isEqualTo(204);
    JsonNode fetching = Http.json(http.get("/runs/" + id));
    assertThat(fetching.path("phase").asString()).isEqualTo("fetching");
    assertThat(fetching.path("started_at").isNull()).isFalse();

    assertThat(
            post(
                    run + "/resolved",
                    """
                    {"sha": "%s", "branch": "main", "version": "1.4.0", "host": "builder-1",
                     "plan_origin": "kiln.yaml",
                     "gates": [{"name": "unit", "required": true}, {"name": "lint", "required": false}]}
                    """
                        .formatted(SHA))
                .statusCode())
        .isEqualTo(204);
    post(run + "/phase", "{\"phase\": \"gating\"}");
    post(run + "/gates/unit", "{\"status\": \"running\", \"summary\": null, \"tests\": null}");
    post(
        run + "/gates/unit",
        "{\"status\": \"passed\", \"summary\": \"212 tests, 0 failed\","
            + " \"tests\": {\"total\": 212, \"failed\": 0, \"skipped\": 3}}");
    post(
        run + "/gates/lint",
        "{\"status\": \"failed\", \"summary\": \"2 warnings\", \"tests\": null}");

    String batch =
        "{\"chunks\": ["
            + chunk(1_000_000, "fetch", "Fetching…\n")
            + ", "
            + chunk(3_000_000, "gate:unit", "212 tests\n")
            + ", "
            + chunk(2_000_000, "compile", "\u001b[1mmake\u001b[0m\n")
            + "]}";
    assertThat(post(run + "/logs", batch).statusCode()).isEqualTo(200);
    assertThat(post(run + "/logs", batch).statusCode()).as("a retried batch").isEqualTo(200);

    HttpResponse<String> log = http.get("/runs/" + id + "/logs");
    assertThat(log.statusCode()).isEqualTo(200);
    assertThat(log.headers().firstValue("Content-Type")).contains("text/plain;charset=UTF-8");
    assertThat(log.body()).isEqualTo("Fetching…\n\u001b[1mmake\u001b[0m\n212 tests\n");
    assertThat(log.headers().firstValue("X-Kiln-Log-Seq")).contains("3000000");
    assertThat(http.get("/runs/" + id + "/logs?step=gate:unit").body()).isEqualTo("212 tests\n");
    assertThat(http.get("/runs/" + id + "/logs?after=2000000").body()).isEqualTo("212 tests\n");

    byte[] jar = "PK\u0003\u0004 not really a jar".getBytes(StandardCharsets.ISO_8859_1);
    HttpResponse<String> uploaded = putArtifact(id, "target/app.jar", jar, sha256(jar));
    assertThat(uploaded.statusCode()).isEqualTo(201);
    assertThat(Http.json(uploaded).path("size").asLong()).isEqualTo(jar.length);
    assertThat(home.resolve("artifacts/runs/" + id + "/target/app.jar")).hasBinaryContent(jar);

    HttpResponse<byte[]> download =
        http.sendForBytes(http.request("/runs/" + id + "/artifacts/target/app.jar").GET().build());
    assertThat(download.statusCode()).isEqualTo(200);
    assertThat(download.body()).isEqualTo(jar);
    assertThat(download.headers().firstValue("Content-Type")).contains("application/octet-stream");
    assertThat(download.headers().firstValue("Content-Length"))
        .contains(String.valueOf(jar.length));
    assertThat(download.headers().firstValue("ETag")).contains("\"" + sha256(jar) + "\"");
    assertThat(download.headers().firstValue("X-Kiln-Sha256")).contains(sha256(jar));
    assertThat(
            http.send(
                    http.request("/runs/" + id + "/artifacts/target/app.jar")
                        .header("If-None-Match", "\"" + sha256(jar) + "\"")
                        .GET()
                        .build())
                .statusCode())
        .isEqualTo(304);
    JsonNode listed = Http.json(http.get("/runs/" + id + "/artifacts")).path("artifacts").get(0);
    assertThat(listed.path("path").asString()).isEqualTo("target/app.jar");
    assertThat(listed.path("url").asString())
        .isEqualTo("/runs/" + id + "/artifacts/target/app.jar");

    HttpResponse<String> first =
        post(run + "/finish", "{\"result\": \"passed\", \"failure_summary\": null}");
    HttpResponse<String> second =
        post(run + "/finish", "{\"result\": \"failed\", \"failure_summary\": \"late\"}");
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(Http.json(first).path("applied").asBoolean()).isTrue();
    assertThat(Http.json(second).path("applied").asBoolean()).isFalse();
    assertThat(post(run + "/phase", "{\"phase\": \"compiling\"}").statusCode()).isEqualTo(204);

    JsonNode view = Http.json(http.get("/runs/" + id));
    assertThat(view.path("result").asString()).isEqualTo("passed");
    assertThat(view.path("phase").asString()).isEqualTo("done");
    assertThat(view.path("failure_summary").isNull()).isTrue();
    assertThat(view.path("finished_at").isNull()).isFalse();
    assertThat(view.path("sha").asString()).isEqualTo(SHA);
    assertThat(view.path("version").asString()).isEqualTo("1.4.0");
    assertThat(view.path("gates").get(0).path("status").asString()).isEqualTo("passed");
    assertThat(view.path("gates").get(0).path("tests").path("total").asInt()).isEqualTo(212);
    assertThat(view.path("gates").get(0).path("log_ref").asString())
        .isEqualTo("/runs/" + id + "/logs?step=gate:unit");
    assertThat(view.path("gates").get(1).path("required").asBoolean()).isFalse();
    assertThat(view.path("gates").get(1).path("status").asString()).isEqualTo("failed");
    assertThat(view.path("artifacts").get(0).path("sha256").asString()).isEqualTo(sha256(jar));
  }

  @Test
  void refusesArtifactsWithABadShaOrAnEscapingPath() throws Exception {
    long id = queuedRun();
    post("/internal/runs/" + id + "/resolved", "{\"sha\": \"" + SHA + "\", \"gates\": []}");
    byte[] data = "data".getBytes(StandardCharsets.UTF_8);

    HttpResponse<String> mismatch = putArtifact(id, "a.bin", data, sha256("other".getBytes()));
    assertThat(mismatch.statusCode()).isEqualTo(400);
    assertThat(Http.json(mismatch).path("detail").asString()).startsWith("sha256 mismatch");

    HttpResponse<String> escaping = putArtifact(id, "..%2F..%2Fetc%2Fpasswd", data, sha256(data));
    assertThat(escaping.statusCode()).isEqualTo(400);
    assertThat(Http.json(escaping).path("detail").asString())
        .startsWith("path: must not contain \"..\"");

    HttpResponse<String> absolute = putArtifact(id, "%2Fetc%2Fpasswd", data, sha256(data));
    assertThat(absolute.statusCode()).isEqualTo(400);

    assertThat(http.get("/runs/" + id + "/artifacts/a.bin").statusCode()).isEqualTo(404);
  }

  @Test
  void restartIsListedOnceInTheRunViewAndNotedInTheLogBetweenTheAttempts() throws Exception {
    long id = queuedRun();
    String run = "/internal/runs/" + id;
    post(
        run + "/logs",
        """
        {"chunks": [{"seq": 1000000, "step": "kiln", "offset": 0,
                     "data": "ZmV0Y2ggb24gaG9zdC1hCg=="},
                    {"seq": 4000000, "step": "kiln", "offset": 0,
                     "data": "ZmV0Y2ggb24gaG9zdC1iCg=="}]}
        """);
    String restart =
        """
        {"attempt": 2, "host": "host-b", "previous_host": "host-a", "log_seq": 3000000}
        """;

    HttpResponse<String> first = post(run + "/restarted", restart);
    HttpResponse<String> retried = post(run + "/restarted", restart);

    assertThat(first.statusCode()).isEqualTo(204);
    assertThat(retried.statusCode()).isEqualTo(204);
    JsonNode restarts = Http.json(http.get("/runs/" + id)).path("restarts");
    assertThat(restarts).hasSize(1);
    assertThat(restarts.get(0).path("note").asString())
        .isEqualTo("restarted on host-b: previous host lost (host-a)");
    assertThat(restarts.get(0).path("attempt").asInt()).isEqualTo(2);
    assertThat(http.get("/runs/" + id + "/logs").body())
        .containsSubsequence(
            "fetch on host-a",
            "restarted on host-b: previous host lost (host-a)",
            "fetch on host-b")
        .containsOnlyOnce("restarted on host-b");
  }

  @Test
  void labelsAKilnYamlRequiresAreAddedOnceToTheRunsAndItsHostsAreAskedToPollTheirQueue() {
    long id = queuedRun();
    String run = "/internal/runs/" + id;

    HttpResponse<String> first = post(run + "/requires", "{\"labels\": [\"zz-label\", \"jdk21\"]}");
    HttpResponse<String> again = post(run + "/requires", "{\"labels\": [\"jdk21\"]}");
    HttpResponse<String> bad = post(run + "/requires", "{\"labels\": [\"Not A Label\"]}");
    HttpResponse<String> none = post(run + "/requires", "{\"labels\": []}");

    assertThat(first.statusCode()).isEqualTo(204);
    assertThat(again.statusCode()).isEqualTo(204);
    assertThat(runs.requiresOf(id)).containsExactlyInAnyOrder("zz-label", "jdk21");
    assertThat(
            post(
                    "/internal/hosts/labelled-host",
                    "{\"archs\": [\"x86_64\"], \"slots\": 1, \"busy\": 0, \"cpu\": 0.1,"
                        + " \"memory\": 0.1, \"labels\": [\"jdk21\", \"zz-label\"]}")
                .body())
        .as("the answer names the labelled queue the run waits on")
        .contains("zz-label");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(Http.json(bad).path("detail").asString()).startsWith("labels[0]: \"Not A Label\"");
    assertThat(none.statusCode()).isEqualTo(400);
  }

  @Test
  void restartOfTheFirstAttemptIsABadRequest() {
    long id = queuedRun();

    HttpResponse<String> response =
        post(
            "/internal/runs/" + id + "/restarted",
            "{\"attempt\": 1, \"host\": \"host-b\", \"previous_host\": null, \"log_seq\": 5}");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
  }

  @Test
  void supersedeEndsTheRunAbortedNamingTheNewerRunAndClosesItsGates() throws Exception {
    long older = queuedRun();
    long newer = queuedRun();
    String run = "/internal/runs/" + older;
    post(
        run + "/resolved",
        """
        {"sha": "%s", "branch": "main", "version": null, "host": "builder-1",
         "plan_origin": "kiln.yaml",
         "gates": [{"name": "unit", "required": true}, {"name": "lint", "required": false}]}
        """
            .formatted(SHA));
    post(run + "/gates/unit", "{\"status\": \"running\", \"summary\": null, \"tests\": null}");

    HttpResponse<String> first =
        post(
            run + "/supersede",
            "{\"superseded_by\": %d, \"failure_summary\": \"x\"}".formatted(newer));
    HttpResponse<String> again =
        post(run + "/supersede", "{\"superseded_by\": %d}".formatted(newer));

    assertThat(Http.json(first).path("applied").asBoolean()).isTrue();
    assertThat(Http.json(again).path("applied").asBoolean()).isFalse();
    JsonNode view = Http.json(http.get("/runs/" + older));
    assertThat(view.path("result").asString()).isEqualTo("aborted");
    assertThat(view.path("superseded_by").asLong()).isEqualTo(newer);
    assertThat(view.path("failure_summary").asString()).isEqualTo("superseded by run " + newer);
    assertThat(view.path("gates").findValuesAsString("status")).containsOnly("skipped");
  }

  @Test
  void supersedeByItselfOrByNothingIsA400() {
    long id = queuedRun();
    String run = "/internal/runs/" + id;

    assertThat(post(run + "/supersede", "{\"superseded_by\": %d}".formatted(id)).statusCode())
        .isEqualTo(400);
    assertThat(post(run + "/supersede", "{}").statusCode()).isEqualTo(400);
  }

  @Test
  void aFinishedRunIsFinalSoLateReportsLeaveItsViewAsItWas() throws Exception {
    long id = queuedRun();
    runs.recordStarted(id, "temporal-run-1");
    String run = "/internal/runs/" + id;
    post(
        run + "/resolved",
        """
        {"sha": "%s", "branch": "main", "version": null, "host": "builder-1",
         "plan_origin": "kiln.yaml", "gates": [{"name": "unit", "required": true}]}
        """
            .formatted(SHA));
    post(run + "/gates/unit", "{\"status\": \"running\", \"summary\": null, \"tests\": null}");
    post(run + "/finish", "{\"result\": \"cancelled\", \"failure_summary\": \"cancelled\"}");
    String finished = http.get("/runs/" + id).body();
    byte[] data = "late".getBytes(StandardCharsets.UTF_8);

    HttpResponse<String> artifact = putArtifact(id, "late.bin", data, sha256(data));
    HttpResponse<String> gate =
        post(run + "/gates/unit", "{\"status\": \"passed\", \"summary\": \"ok\", \"tests\": null}");
    HttpResponse<String> restart =
        post(
            run + "/restarted",
            "{\"attempt\": 2, \"host\": \"h2\", \"previous_host\": \"builder-1\", \"log_seq\": 9}");

    assertThat(artifact.statusCode()).isEqualTo(409);
    assertThat(Http.json(artifact).path("detail").asString())
        .isEqualTo("run " + id + " has ended (cancelled); a finished run's artifacts are final");
    assertThat(gate.statusCode()).isEqualTo(204);
    assertThat(restart.statusCode()).isEqualTo(204);
    assertThat(http.get("/runs/" + id).body()).isEqualTo(finished);
    assertThat(Http.json(http.get("/runs/" + id + "/artifacts")).path("artifacts")).isEmpty();
    // the ledger itself, not a cached view
    RunViewRepository.RunDetails stored = details.find(id).orElseThrow();
    assertThat(stored.gates())
        .singleElement()
        .extracting(g -> g.status().wireName())
        .isEqualTo("skipped");
    assertThat(stored.restarts()).isEmpty();
    assertThat(stored.artifacts()).isEmpty();
  }

  /** Artifacts are stored per run, so a run need not have resolved its sha to stage one. */
  @Test
  void storesAnArtifactOfARunThatHasNotResolvedItsShaUnderTheRun() throws Exception {
    long id = queuedRun();
    byte[] data = "x".getBytes(StandardCharsets.UTF_8);
    HttpResponse<String> response = putArtifact(id, "a.bin", data, sha256(data));
    assertThat(response.statusCode()).isEqualTo(201);
    assertThat(home.resolve("artifacts/runs/" + id + "/a.bin")).hasBinaryContent(data);
  }

  @Test
  void theSandboxAndWhatEachStepUsedShowInTheRunViewUntilTheRunEnds() {
    long id = queuedRun();
    String run = "/internal/runs/" + id;

    assertThat(Http.json(http.get("/runs/" + id)).path("sandbox").isNull()).isTrue();
    String limits =
        """
        {"sandbox": "bwrap", "limits": {"memory_bytes": 4294967296, "cpus": 2.0, "pids": 2048,
         "disk_bytes": 10737418240, "timeout_seconds": 1200, "network": false,
         "enforced_by": "cgroup v1", "from_a_newer_worker": 1}}
        """;
    assertThat(post(run + "/sandbox", limits).statusCode()).isEqualTo(204);
    String usage =
        "{\"step\": \"%s\", \"command\": %d, \"peak_memory_bytes\": %d, \"cpu_millis\": %d}";
    assertThat(post(run + "/usage", usage.formatted("compile", 0, 100, 1500)).statusCode())
        .isEqualTo(204);
    assertThat(post(run + "/usage", usage.formatted("compile", 1, 300, 2500)).statusCode())
        .isEqualTo(204);
    assertThat(post(run + "/usage", usage.formatted("gate:unit", 0, 50, 10)).statusCode())
        .isEqualTo(204);
    // a retried activity measures again: the same command's report replaces the first
    assertThat(post(run + "/usage", usage.formatted("gate:unit", 0, 70, 20)).statusCode())
        .isEqualTo(204);

    JsonNode view = Http.json(http.get("/runs/" + id));
    assertThat(view.path("sandbox").asString()).isEqualTo("bwrap");
    assertThat(view.path("limits").path("memory_bytes").asLong()).isEqualTo(4294967296L);
    assertThat(view.path("limits").path("pids").asInt()).isEqualTo(2048);
    assertThat(view.path("limits").path("network").asBoolean()).isFalse();
    assertThat(view.path("limits").path("enforced_by").asString()).isEqualTo("cgroup v1");
    assertThat(view.path("steps")).hasSize(2);
    assertThat(view.path("steps").get(0).path("step").asString()).isEqualTo("compile");
    assertThat(view.path("steps").get(0).path("peak_memory_bytes").asLong()).isEqualTo(300);
    assertThat(view.path("steps").get(0).path("cpu_seconds").asDouble()).isEqualTo(4.0);
    assertThat(view.path("steps").get(1).path("peak_memory_bytes").asLong()).isEqualTo(70);

    post(run + "/finish", "{\"result\": \"passed\", \"failure_summary\": null}");
    assertThat(post(run + "/sandbox", "{\"sandbox\": \"none\"}").statusCode()).isEqualTo(204);
    assertThat(Http.json(http.get("/runs/" + id)).path("sandbox").asString())
        .as("a finished run's view is final")
        .isEqualTo("bwrap");
  }

  @Test
  void aRunWithoutIsolationSaysSandboxNoneWithoutLimits() {
    long id = queuedRun();

    assertThat(post("/internal/runs/" + id + "/sandbox", "{\"sandbox\": \"none\"}").statusCode())
        .isEqualTo(204);

    JsonNode view = Http.json(http.get("/runs/" + id));
    assertThat(view.path("sandbox").asString()).isEqualTo("none");
    assertThat(view.path("limits").isNull()).isTrue();
  }

  @Test
  void badSandboxAndUsageReportsAre400sAndUnknownRuns404s() {
    long id = queuedRun();
    String run = "/internal/runs/" + id;

    assertThat(post(run + "/sandbox", "{\"sandbox\": \"Bubble Wrap!\"}").statusCode())
        .isEqualTo(400);
    assertThat(
            post(run + "/sandbox", "{\"sandbox\": \"bwrap\", \"limits\": {\"pids\": -1}}")
                .statusCode())
        .isEqualTo(400);
    assertThat(post(run + "/usage", "{\"step\": \"compile\"}").statusCode()).isEqualTo(400);
    assertThat(
            post(run + "/usage", "{\"step\": \"compile\", \"command\": 0, \"cpu_millis\": -5}")
                .statusCode())
        .isEqualTo(400);
    HttpResponse<String> unknown =
        post("/internal/runs/987654321/sandbox", "{\"sandbox\": \"bwrap\"}");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.headers().firstValue("Content-Type")).contains("application/problem+json");
  }

  @Test
  void acceptsLargeLogBatchesButCapsPublicBodiesAtOneMebibyte() {
    long id = queuedRun();
    String big = "x".repeat(2 * 1024 * 1024);
    HttpResponse<String> logs =
        post("/internal/runs/" + id + "/logs", "{\"chunks\": [" + chunk(1, "compile", big) + "]}");
    assertThat(logs.statusCode()).isEqualTo(200);

    // chunked, without Content-Length: counted as it is read
    HttpResponse<String> rebuild =
        http.send(
            http.request("/rebuild")
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofInputStream(
                        () ->
                            new ByteArrayInputStream(
                                ("{\"repo\": \"https://example.com/a.git\", \"target\": \""
                                        + big
                                        + "\"}")
                                    .getBytes(StandardCharsets.UTF_8))))
                .build());
    assertThat(rebuild.statusCode()).isEqualTo(413);
    assertThat(Http.json(rebuild).path("detail").asString())
        .isEqualTo("request body is larger than the limit of 1 MiB");
  }
}
