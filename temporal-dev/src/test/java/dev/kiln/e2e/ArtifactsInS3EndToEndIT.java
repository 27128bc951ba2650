package dev.kiln.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.api.support.SeaweedFs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dev stack with its artifacts in a real S3 server (SeaweedFS on loopback), configured only
 * through the environment variables an operator sets ({@code KILN_ARTIFACTS_STORE=s3}, {@code
 * KILN_ARTIFACTS_S3_*}): a build's artifacts and a local submission's bundle travel worker → api →
 * bucket and back, and nothing of them is kept on the api's disk.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class ArtifactsInS3EndToEndIT {

  static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);
  static final String BUCKET = "kiln-e2e";
  private static final Pattern QUEUED = Pattern.compile("run (\\d+) queued in lane ");

  @TempDir static Path temp;
  static SeaweedFs seaweed;
  static DevStackProcess stack;
  static KilnHttp api;
  static GitFixtures fixtures;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void startStack() throws Exception {
    seaweed = SeaweedFs.start();
    seaweed.createBucket(BUCKET);
    stack = DevStackProcess.start(temp.resolve("kiln-home"), seaweed.environment(BUCKET));
    api = new KilnHttp(stack.baseUrl());
    fixtures = new GitFixtures(temp.resolve("repos"));
  }

  @AfterAll
  static void stopStack() throws Exception {
    if (stack != null) {
      stack.stopLeavingNothingBehind();
    }
    if (seaweed != null) {
      seaweed.close();
    }
  }

  @Test
  void aBuildsArtifactIsStoredInTheBucketAndDownloadedWholeAndByRange() throws Exception {
    String repo =
        fixtures.project(
            "s3-artifacts",
            Map.of(
                "kiln.yaml",
                """
                compile:
                  - run: mkdir -p out && seq 1 20000 > out/numbers.txt
                stage:
                  artifacts: ["out/*"]
                """));
    KilnHttp.Answer accepted = api.rebuild(Map.of("repo", repo));
    assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
    long runId = accepted.json().path("run_id").asLong();

    JsonNode run = api.awaitEnd(runId, BUILD_TIMEOUT);

    assertThat(run.path("result").asText()).as(run.toPrettyString()).isEqualTo("passed");
    StringBuilder numbers = new StringBuilder();
    for (int i = 1; i <= 20000; i++) {
      numbers.append(i).append('\n');
    }
    byte[] expected = numbers.toString().getBytes(StandardCharsets.UTF_8);
    JsonNode artifact = run.path("artifacts").get(0);
    assertThat(artifact.path("path").asText()).isEqualTo("out/numbers.txt");
    assertThat(artifact.path("sha256").asText()).isEqualTo(sha256(expected));
    assertThat(seaweed.keys(BUCKET, "runs/" + runId + "/"))
        .containsExactly("runs/" + runId + "/out/numbers.txt");
    HttpResponse<byte[]> whole = download(runId, "out/numbers.txt", null);
    assertThat(whole.statusCode()).isEqualTo(200);
    assertThat(whole.body()).isEqualTo(expected);
    assertThat(whole.headers().firstValue("X-Kiln-Sha256")).contains(sha256(expected));
    HttpResponse<byte[]> range = download(runId, "out/numbers.txt", "bytes=0-9");
    assertThat(range.statusCode()).isEqualTo(206);
    assertThat(new String(range.body(), StandardCharsets.UTF_8)).isEqualTo("1\n2\n3\n4\n5\n");
    assertThat(temp.resolve("kiln-home/artifacts/runs")).doesNotExist();
  }

  @Test
  void aLocalSubmissionBuildsFromItsBundleInTheBucket() throws Exception {
    String uri =
        fixtures.project(
            "s3-local",
            Map.of(
                "kiln.yaml",
                """
                compile:
                  - run: echo "built $(cat note.txt)"
                """,
                "note.txt",
                "committed\n"));
    Path dir = Path.of(URI.create(uri));
    Files.writeString(dir.resolve("note.txt"), "from the working tree\n");

    KilnCliProcess.Finished kiln =
        KilnCliProcess.run(
            temp.resolve("cli"),
            stack.baseUrl(),
            BUILD_TIMEOUT,
            "rebuild",
            dir.toString(),
            "--follow");

    assertThat(kiln.exitCode()).as(kiln.toString()).isZero();
    assertThat(kiln.out()).contains("built from the working tree");
    Matcher queued = QUEUED.matcher(kiln.err());
    assertThat(queued.find()).as(kiln.err()).isTrue();
    String key = "submissions/" + queued.group(1) + ".bundle";
    assertThat(seaweed.keys(BUCKET, key)).containsExactly(key);
    assertThat(temp.resolve("kiln-home/artifacts/submissions")).doesNotExist();
  }

  private static HttpResponse<byte[]> download(long runId, String path, String range)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
            URI.create(stack.baseUrl() + "/runs/" + runId + "/artifacts/" + path));
    if (range != null) {
      request.header("Range", range);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static String sha256(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }
}
