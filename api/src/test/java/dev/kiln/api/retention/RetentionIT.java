package dev.kiln.api.retention;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.support.Http;
import dev.kiln.api.support.RunningApi;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Retention over HTTP, as the daily retention workflow drives it: {@code POST /internal/retention}
 * until nothing more is due. Runs are made as workers report them, then aged in the database.
 */
@TestPropertySource(
    properties = {
      "kiln.retention.keep=30d",
      "kiln.retention.repos[0].pattern=https://example.com/short/*",
      "kiln.retention.repos[0].keep=1h"
    })
class RetentionIT extends RunningApi {

  static final String APP = "https://example.com/retention-app.git";
  static final String SHORT = "https://example.com/short/lib.git";

  @Autowired JdbcClient jdbc;

  @Value("${kiln.home}")
  Path home;

  @Test
  void removesOldRunsLogsAndArtifactsButKeepsTheNewestOfEachLaneAndEveryRunsSummary()
      throws Exception {
    long oldest = finishedRun(APP, "main", "40 days");
    long older = finishedRun(APP, "main", "35 days");
    long newestOfMain = finishedRun(APP, "main", "31 days");
    long young = finishedRun(APP, "feature", "10 days");
    long newestOfFeature = finishedRun(APP, "feature", "10 days");
    long shortOld = finishedRun(SHORT, "main", "2 hours");
    long newestOfShort = finishedRun(SHORT, "main", "2 hours");
    long building = queuedRun(APP);
    JsonNode cached = Http.json(http.get("/runs/" + oldest));
    assertThat(cached.path("retention").isNull()).isTrue();

    JsonNode firstBatch = prune("{\"limit\": 1}");
    assertThat(firstBatch.path("runs").asInt()).isEqualTo(1);
    assertThat(firstBatch.path("more").asBoolean()).isTrue();
    int removed = 1;
    JsonNode batch;
    do {
      batch = prune("{}");
      removed += batch.path("runs").asInt();
    } while (batch.path("more").asBoolean());

    assertThat(removed).isEqualTo(3);
    for (long run : List.of(oldest, older, shortOld)) {
      assertRemoved(run, run == shortOld ? "1h" : "30d");
    }
    for (long run : List.of(newestOfMain, young, newestOfFeature, newestOfShort)) {
      assertKept(run);
    }
    assertThat(Http.json(http.get("/runs/" + building)).path("retention").isNull()).isTrue();
    JsonNode again = prune("{}");
    assertThat(again.path("runs").asInt()).as("nothing is removed twice").isZero();
    assertThat(again.path("more").asBoolean()).isFalse();
  }

  private void assertRemoved(long run, String keptFor) throws Exception {
    JsonNode view = Http.json(http.get("/runs/" + run));
    assertThat(view.path("result").asString()).isEqualTo("failed");
    assertThat(view.path("failure_summary").asString()).isEqualTo("unit: 1 failed");
    assertThat(view.path("gates").get(0).path("summary").asString()).isEqualTo("1 failed");
    assertThat(view.path("artifacts")).isEmpty();
    assertThat(view.path("retention").path("kept_for").asString()).isEqualTo(keptFor);
    assertThat(view.path("retention").path("note").asString())
        .startsWith("logs and artifacts removed on ")
        .contains(keptFor + " after the run ended (kiln.retention)")
        .endsWith("its result, summary and gates are kept");
    String page =
        http.send(http.request("/runs/" + run).header("Accept", "text/html").GET().build()).body();
    // the page shows the note in its retention line, from the run view it carries
    assertThat(page)
        .contains("<p class=\"note\" id=\"retention\"></p>")
        .contains("\"note\":\"logs and artifacts removed on ");
    HttpResponse<String> logs = http.get("/runs/" + run + "/logs");
    assertThat(logs.statusCode()).isEqualTo(410);
    assertThat(Http.json(logs).path("detail").asString())
        .startsWith("the logs of run " + run + ": logs and artifacts removed on ");
    assertThat(http.get("/runs/" + run + "/artifacts/dist/app.bin").statusCode()).isEqualTo(410);
    assertThat(Http.json(http.get("/runs/" + run + "/artifacts")).path("artifacts")).isEmpty();
    assertThat(home.resolve("artifacts/runs/" + run)).doesNotExist();
    assertThat(
            jdbc.sql("SELECT count(*) FROM run_log_chunks WHERE run_id = :id")
                .param("id", run)
                .query(Long.class)
                .single())
        .isZero();
  }

  private void assertKept(long run) {
    JsonNode view = Http.json(http.get("/runs/" + run));
    assertThat(view.path("retention").isNull()).as("run " + run).isTrue();
    assertThat(view.path("artifacts")).hasSize(1);
    assertThat(http.get("/runs/" + run + "/logs").body()).isEqualTo("built run " + run + "\n");
    assertThat(http.get("/runs/" + run + "/artifacts/dist/app.bin").statusCode()).isEqualTo(200);
    assertThat(home.resolve("artifacts/runs/" + run + "/dist/app.bin")).exists();
  }

  /** A run that logged, staged an artifact and failed a gate, ended {@code age} ago. */
  private long finishedRun(String repo, String ref, String age) throws Exception {
    long run = runs.insert(dev.kiln.api.support.Runs.newRun(repo, ref, "x86_64")).orElseThrow();
    worker(
        "/internal/runs/" + run + "/resolved",
        "{\"sha\": \"9f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c\", \"branch\": \""
            + ref
            + "\", \"gates\": [{\"name\": \"unit\", \"required\": true}]}");
    logs(run, Chunk.of(1, "compile", "built run " + run + "\n"));
    byte[] artifact = ("artifact of run " + run).getBytes(StandardCharsets.UTF_8);
    HttpResponse<String> put =
        http.send(
            http.request("/internal/runs/" + run + "/artifacts?path=dist/app.bin")
                .header("Authorization", AUTH)
                .header("Content-Type", "application/octet-stream")
                .header(
                    "X-Kiln-Sha256",
                    HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(artifact)))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(artifact))
                .build());
    assertThat(put.statusCode()).isEqualTo(201);
    worker(
        "/internal/runs/" + run + "/gates/unit",
        "{\"status\": \"failed\", \"summary\": \"1 failed\"}");
    finish(run, "failed", "unit: 1 failed");
    jdbc.sql(
            """
            UPDATE runs SET queued_at = now() - CAST(:age AS interval) - interval '1 minute',
                            finished_at = now() - CAST(:age AS interval)
             WHERE id = :id
            """)
        .param("age", age)
        .param("id", run)
        .update();
    assertThat(Files.exists(home.resolve("artifacts/runs/" + run + "/dist/app.bin"))).isTrue();
    return run;
  }

  private JsonNode prune(String body) {
    return Http.json(worker("/internal/retention", body));
  }
}
