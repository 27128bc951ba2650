package dev.kiln.api.submissions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.runs.RunRepository;
import dev.kiln.api.support.Http;
import dev.kiln.api.support.KilnApp;
import dev.kiln.api.support.Runs;
import dev.kiln.api.support.TestProperties;
import dev.kiln.api.support.TestTemporal;
import dev.kiln.workflows.RebuildRequest;
import dev.kiln.workflows.Result;
import dev.kiln.workflows.RunOutcome;
import dev.kiln.workflows.TaskQueues;
import dev.kiln.workflows.lane.LaneWorkflowImpl;
import dev.kiln.workflows.rebuild.RebuildWorkflow;
import dev.kiln.workflows.rebuild.RunProgress;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /submissions} through the whole api against Temporal's test server: what the run and
 * its workflow are told, the worker's download of the upload, the limit, and retention. The api
 * reads a bundle's header only (the worker unpacks and checks the rest: {@code
 * SubmissionFetcherTest}), so these bundles are a real header over made-up pack bytes.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
public class SubmissionsIT {

  static final String SHA = "3f2a6c1e9b8d7a6f5e4d3c2b1a09f8e7d6c5b4a3";
  static final String WORKER = "Bearer " + TestProperties.TOKEN;
  static final int MAX_BYTES = 4096;

  private static TestTemporal temporal;

  /** Reports what it was asked to build as its outcome's summary. */
  public static class EchoRebuildWorkflow implements RebuildWorkflow {

    @Override
    public RunOutcome build(RebuildRequest r) {
      return new RunOutcome(Result.PASSED, r.repo() + "|" + r.ref() + "|" + r.supersede());
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
    registry.add("kiln.submissions.max-bytes", () -> MAX_BYTES + "B");
  }

  @AfterAll
  static void stopTemporal() {
    temporal.close();
  }

  @LocalServerPort int port;
  @Autowired JdbcClient jdbc;
  @Autowired RunRepository runs;

  @Value("${kiln.home}")
  Path home;

  Http http;

  @BeforeEach
  void client() {
    http = new Http(port);
  }

  private static byte[] bundle(String sha, String pack) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.writeBytes(
        ("# v2 git bundle\n" + sha + " refs/heads/kiln-submission\n\n")
            .getBytes(StandardCharsets.UTF_8));
    bytes.writeBytes(pack.getBytes(StandardCharsets.UTF_8));
    return bytes.toByteArray();
  }

  private HttpResponse<String> submit(String query, byte[] body) {
    return http.send(
        http.request("/submissions" + query)
            .header("Content-Type", "application/x-git-bundle")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build());
  }

  private HttpResponse<byte[]> download(long runId) {
    return http.sendForBytes(
        http.request("/internal/runs/" + runId + "/submission")
            .header("Authorization", WORKER)
            .GET()
            .build());
  }

  @Test
  void aSubmissionIsARunOfItsCommitOutsideEveryLaneWhoseUploadTheWorkerDownloads()
      throws Exception {
    byte[] upload = bundle(SHA, "PACK of run one");

    HttpResponse<String> answer = submit("?name=my%20app&arch=x86_64", upload);

    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
    long runId = Http.json(answer).path("run_id").asLong();
    assertThat(Http.json(answer).path("lane").asString()).isEqualTo("local:my-app#local@x86_64");
    JsonNode view = Http.json(http.get("/runs/" + runId));
    assertThat(view.path("source").asString()).isEqualTo("local");
    assertThat(view.path("repo").asString()).isEqualTo("local:my-app");
    assertThat(view.path("ref").asString()).isEqualTo(SHA);
    RunOutcome outcome =
        temporal
            .client()
            .newUntypedWorkflowStub(RebuildWorkflow.workflowId(runId))
            .getResult(RunOutcome.class);
    assertThat(outcome.failureSummary()).startsWith("local:my-app|" + SHA + "|");
    HttpResponse<byte[]> downloaded = download(runId);
    assertThat(downloaded.statusCode()).isEqualTo(200);
    assertThat(downloaded.body()).isEqualTo(upload);
    assertThat(downloaded.headers().firstValue("Content-Type"))
        .contains("application/x-git-bundle");
    assertThat(downloaded.headers().firstValue("X-Kiln-Sha256"))
        .contains(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(upload)));
    HttpResponse<String> retry = http.postJson("/runs/" + runId + "/retry", "");
    assertThat(retry.statusCode()).isEqualTo(409);
    assertThat(Http.json(retry).path("detail").asString())
        .contains("built a local submission", "submit the directory again");
  }

  @Test
  void anUploadPastTheLimitIs413WithTheSettingNamedAndStartsNothing() {
    long runsBefore = jdbc.sql("SELECT count(*) FROM runs").query(Long.class).single();

    HttpResponse<String> answer = submit("?name=big", new byte[MAX_BYTES + 1]);

    assertThat(answer.statusCode()).isEqualTo(413);
    assertThat(answer.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
    assertThat(Http.json(answer).path("detail").asString())
        .contains("(" + (MAX_BYTES + 1) + " bytes)", "kiln.submissions.max-bytes");
    assertThat(jdbc.sql("SELECT count(*) FROM runs").query(Long.class).single())
        .isEqualTo(runsBefore);
  }

  @Test
  void aBodyThatIsNoBundleOfOneCommitIs400() {
    HttpResponse<String> notABundle = submit("?name=x", "hello".getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> thin =
        submit(
            "?name=x",
            ("# v2 git bundle\n-" + SHA + " parent\n" + SHA + " refs/heads/x\n\nPACK")
                .getBytes(StandardCharsets.UTF_8));

    assertThat(notABundle.statusCode()).isEqualTo(400);
    assertThat(Http.json(notABundle).path("detail").asString())
        .startsWith("the body is not a git bundle of one snapshot commit");
    assertThat(thin.statusCode()).isEqualTo(400);
    assertThat(Http.json(thin).path("detail").asString())
        .contains("needs commits the server does not have");
  }

  @Test
  void retentionRemovesAnOldSubmissionsUploadWithItsArtifactsAndTheWorkerThenGets410()
      throws Exception {
    long older = Http.json(submit("?name=kept", bundle(SHA, "older"))).path("run_id").asLong();
    long newer = Http.json(submit("?name=kept", bundle(SHA, "newer"))).path("run_id").asLong();
    for (long run : new long[] {older, newer}) {
      HttpResponse<String> finish =
          http.postJson(
              "/internal/runs/" + run + "/finish",
              "{\"result\": \"passed\"}",
              "Authorization",
              WORKER);
      assertThat(finish.statusCode()).as(finish.body()).isBetween(200, 299);
    }
    jdbc.sql(
            "UPDATE runs SET queued_at = now() - interval '41 days',"
                + " finished_at = now() - interval '40 days' WHERE id = :id")
        .param("id", older)
        .update();
    assertThat(home.resolve("artifacts/submissions/" + older + ".bundle")).exists();

    HttpResponse<String> pruned =
        http.postJson("/internal/retention", "{}", "Authorization", WORKER);

    assertThat(pruned.statusCode()).as(pruned.body()).isEqualTo(200);
    assertThat(home.resolve("artifacts/submissions/" + older + ".bundle")).doesNotExist();
    assertThat(download(older).statusCode()).isEqualTo(410);
    assertThat(home.resolve("artifacts/submissions/" + newer + ".bundle")).exists();
    assertThat(download(newer).statusCode()).as("the newest of its lane keeps it").isEqualTo(200);
  }

  @Test
  void aRunThatIsNoSubmissionHasNoUpload() {
    long fromGit =
        runs.insert(Runs.newRun("https://example.com/app.git", "main", "x86_64")).orElseThrow();

    assertThat(download(fromGit).statusCode()).isEqualTo(404);
  }
}
