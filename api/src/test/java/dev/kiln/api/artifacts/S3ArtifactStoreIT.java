package dev.kiln.api.artifacts;

import static dev.kiln.api.support.Runs.newRun;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.api.config.KilnProperties;
import dev.kiln.api.runs.RunRepository;
import dev.kiln.api.submissions.SubmissionsIT;
import dev.kiln.api.support.Http;
import dev.kiln.api.support.KilnApp;
import dev.kiln.api.support.SeaweedFs;
import dev.kiln.api.support.TestProperties;
import dev.kiln.api.support.TestTemporal;
import dev.kiln.workflows.TaskQueues;
import dev.kiln.workflows.lane.LaneWorkflowImpl;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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
import org.springframework.util.unit.DataSize;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * The api with {@code kiln.artifacts.store=s3} against a real S3 server (SeaweedFS on loopback),
 * driven over HTTP as workers and clients drive it: artifacts and a local submission's bundle go
 * into the bucket with their sha256, come back whole and by Range, are checked against what was
 * recorded, and leave the bucket with retention.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
class S3ArtifactStoreIT {

  static final String BUCKET = "kiln-artifacts";
  static final String AUTH = "Bearer " + TestProperties.TOKEN;
  static final String SHA = "9f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c";

  static SeaweedFs seaweed;
  static TestTemporal temporal;

  @BeforeAll
  static void startStore() throws IOException {
    seaweed = SeaweedFs.start();
    seaweed.createBucket(BUCKET);
    temporal = TestTemporal.start();
    temporal
        .workers()
        .newWorker(TaskQueues.CONTROL)
        .registerWorkflowImplementationTypes(
            SubmissionsIT.EchoRebuildWorkflow.class, LaneWorkflowImpl.class);
    temporal.workers().start();
  }

  @AfterAll
  static void stopStore() {
    if (temporal != null) {
      temporal.close();
    }
    if (seaweed != null) {
      seaweed.close();
    }
  }

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) throws IOException {
    KilnApp.register(registry, Files.createTempDirectory("kiln-home"));
    registry.add("kiln.temporal.address", () -> temporal.address());
    seaweed.register(registry, BUCKET);
  }

  @LocalServerPort int port;
  @Autowired RunRepository runs;
  @Autowired JdbcClient jdbc;

  @Value("${kiln.home}")
  Path home;

  Http http;

  @BeforeEach
  void client() {
    http = new Http(port);
  }

  @Test
  void anArtifactGoesIntoTheBucketWithItsSha256AndComesBackWholeAndByRange() throws Exception {
    byte[] data = bytes(100_000, 1);
    long run = resolvedRun("https://example.com/s3/app.git", "main");

    HttpResponse<String> put = put(run, "dist/app.bin", data, sha256(data));

    assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
    String key = "runs/" + run + "/dist/app.bin";
    assertThat(seaweed.keys(BUCKET, "runs/" + run + "/")).containsExactly(key);
    assertThat(seaweed.client().headObject(b -> b.bucket(BUCKET).key(key)).metadata())
        .containsEntry(S3ArtifactStore.SHA256_METADATA, sha256(data));
    var listed = Http.json(http.get("/runs/" + run + "/artifacts")).path("artifacts").get(0);
    assertThat(listed.path("path").asString()).isEqualTo("dist/app.bin");
    assertThat(listed.path("size").asLong()).isEqualTo(data.length);
    assertThat(listed.path("sha256").asString()).isEqualTo(sha256(data));

    HttpResponse<byte[]> whole = download(run, "dist/app.bin", null);
    HttpResponse<byte[]> middle = download(run, "dist/app.bin", "bytes=10-19");
    HttpResponse<byte[]> tail = download(run, "dist/app.bin", "bytes=-5");
    HttpResponse<byte[]> pastTheEnd = download(run, "dist/app.bin", "bytes=100000-");

    assertThat(whole.statusCode()).isEqualTo(200);
    assertThat(whole.body()).isEqualTo(data);
    assertThat(whole.headers().firstValue("X-Kiln-Sha256")).contains(sha256(data));
    assertThat(whole.headers().firstValue("ETag")).contains("\"" + sha256(data) + "\"");
    assertThat(whole.headers().firstValue("Accept-Ranges")).contains("bytes");
    assertThat(middle.statusCode()).isEqualTo(206);
    assertThat(middle.headers().firstValue("Content-Range")).contains("bytes 10-19/100000");
    assertThat(middle.body()).isEqualTo(Arrays.copyOfRange(data, 10, 20));
    assertThat(tail.statusCode()).isEqualTo(206);
    assertThat(tail.headers().firstValue("Content-Range")).contains("bytes 99995-99999/100000");
    assertThat(tail.body()).isEqualTo(Arrays.copyOfRange(data, 99_995, 100_000));
    assertThat(pastTheEnd.statusCode()).isEqualTo(416);
    assertThat(pastTheEnd.headers().firstValue("Content-Range")).contains("bytes */100000");
    assertThat(home.resolve("artifacts/runs")).as("nothing kept on the api's disk").doesNotExist();
    try (Stream<Path> incoming = Files.list(home.resolve("artifacts/.incoming"))) {
      assertThat(incoming).as("no staged upload left behind").isEmpty();
    }
  }

  @Test
  void anUploadWhoseBytesDoNotHashToItsSha256IsRefusedAndTheBucketKeepsThePreviousObject()
      throws Exception {
    byte[] good = "the first build\n".getBytes(StandardCharsets.UTF_8);
    byte[] other = "a different build\n".getBytes(StandardCharsets.UTF_8);
    long run = resolvedRun("https://example.com/s3/mismatch.git", "main");
    assertThat(put(run, "app.bin", good, sha256(good)).statusCode()).isEqualTo(201);

    HttpResponse<String> mismatch = put(run, "app.bin", other, sha256(good));
    HttpResponse<String> newPath = put(run, "new.bin", other, sha256(good));

    assertThat(mismatch.statusCode()).isEqualTo(400);
    assertThat(Http.json(mismatch).path("detail").asString())
        .isEqualTo(
            "sha256 mismatch: X-Kiln-Sha256 says "
                + sha256(good)
                + ", the body hashes to "
                + sha256(other));
    assertThat(newPath.statusCode()).isEqualTo(400);
    assertThat(seaweed.keys(BUCKET, "runs/" + run + "/"))
        .containsExactly("runs/" + run + "/app.bin");
    assertThat(download(run, "app.bin", null).body()).isEqualTo(good);
  }

  @Test
  void anObjectChangedInTheBucketBehindKilnsBackIsNotServedAsTheRecordedArtifact()
      throws Exception {
    byte[] small = "recorded\n".getBytes(StandardCharsets.UTF_8);
    byte[] large = bytes(2 << 20, 2);
    long run = resolvedRun("https://example.com/s3/tampered.git", "main");
    assertThat(put(run, "small.txt", small, sha256(small)).statusCode()).isEqualTo(201);
    assertThat(put(run, "large.bin", large, sha256(large)).statusCode()).isEqualTo(201);
    assertThat(put(run, "rotten.txt", small, sha256(small)).statusCode()).isEqualTo(201);
    overwrite(
        "runs/" + run + "/rotten.txt",
        "recordeD\n".getBytes(StandardCharsets.UTF_8),
        sha256(small));
    byte[] replaced = "replaced\n".getBytes(StandardCharsets.UTF_8);
    overwrite("runs/" + run + "/small.txt", replaced, sha256(replaced));
    byte[] rotten = large.clone();
    rotten[rotten.length - 1] ^= 1;
    overwrite("runs/" + run + "/large.bin", rotten, sha256(large));

    HttpResponse<String> relabelled = http.get("/runs/" + run + "/artifacts/small.txt");

    assertThat(relabelled.statusCode()).isEqualTo(502);
    assertThat(Http.json(relabelled).path("detail").asString())
        .contains("has sha256 " + sha256(replaced) + ", not the " + sha256(small) + " recorded");
    HttpResponse<String> rottenSmall = http.get("/runs/" + run + "/artifacts/rotten.txt");
    assertThat(rottenSmall.statusCode()).isEqualTo(502);
    assertThat(Http.json(rottenSmall).path("detail").asString())
        .isEqualTo("the artifact store returned other bytes than were recorded; it is not served");
    assertThat(download(run, "rotten.txt", "bytes=0-3").statusCode())
        .as("a range is not hashed")
        .isEqualTo(206);
    assertThatThrownBy(() -> download(run, "large.bin", null))
        .as("the whole download breaks off before its last bytes")
        .isInstanceOf(UncheckedIOException.class);
  }

  @Test
  void retentionDeletesARunsObjectsFromTheBucketAndKeepsTheNewestOfItsLane() throws Exception {
    String repo = "https://example.com/s3/retention.git";
    byte[] data = "kept for a while\n".getBytes(StandardCharsets.UTF_8);
    long old = resolvedRun(repo, "main");
    assertThat(put(old, "a/one.bin", data, sha256(data)).statusCode()).isEqualTo(201);
    assertThat(put(old, "a/two.bin", data, sha256(data)).statusCode()).isEqualTo(201);
    finish(old);
    long newest = resolvedRun(repo, "main");
    assertThat(put(newest, "a/one.bin", data, sha256(data)).statusCode()).isEqualTo(201);
    finish(newest);
    jdbc.sql(
            "UPDATE runs SET queued_at = now() - interval '41 days',"
                + " finished_at = now() - interval '40 days' WHERE id = :id")
        .param("id", old)
        .update();

    HttpResponse<String> pruned = http.postJson("/internal/retention", "{}", "Authorization", AUTH);

    assertThat(pruned.statusCode()).as(pruned.body()).isEqualTo(200);
    assertThat(seaweed.keys(BUCKET, "runs/" + old + "/")).isEmpty();
    assertThat(download(old, "a/one.bin", null).statusCode()).isEqualTo(410);
    assertThat(seaweed.keys(BUCKET, "runs/" + newest + "/"))
        .containsExactly("runs/" + newest + "/a/one.bin");
    assertThat(download(newest, "a/one.bin", null).body()).isEqualTo(data);
  }

  @Test
  void aLocalSubmissionsBundleIsKeptInTheBucketForTheWorkersDownload() throws Exception {
    byte[] bundle = bundle("PACK kept in S3");

    HttpResponse<String> answer =
        http.send(
            http.request("/submissions?name=s3-app&arch=x86_64")
                .header("Content-Type", "application/x-git-bundle")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bundle))
                .build());

    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
    long run = Http.json(answer).path("run_id").asLong();
    String key = "submissions/" + run + ".bundle";
    assertThat(seaweed.keys(BUCKET, key)).containsExactly(key);
    HttpResponse<byte[]> fetched =
        http.sendForBytes(
            http.request("/internal/runs/" + run + "/submission")
                .header("Authorization", AUTH)
                .GET()
                .build());
    assertThat(fetched.statusCode()).isEqualTo(200);
    assertThat(fetched.body()).isEqualTo(bundle);
    assertThat(fetched.headers().firstValue("X-Kiln-Sha256")).contains(sha256(bundle));
    assertThat(home.resolve("artifacts/submissions")).doesNotExist();
  }

  @Test
  void aMissingBucketWrongCredentialsOrNoServerAtStartAreNamedPlainly() throws IOException {
    Path scratch = Files.createTempDirectory("kiln-home");
    int closed = closedPort();

    assertThatThrownBy(() -> S3ArtifactStore.connect(store(scratch, seaweed.endpoint(), "nope")))
        .isInstanceOf(ArtifactStoreUnavailableException.class)
        .hasMessage(
            "the bucket of the S3 bucket \"nope\" at "
                + seaweed.endpoint()
                + " does not exist. Kiln does not create it: create it (for example with `aws s3"
                + " mb s3://nope`) or set kiln.artifacts.s3.bucket to one that exists.");
    assertThatThrownBy(
            () ->
                S3ArtifactStore.connect(
                    store(scratch, URI.create("http://127.0.0.1:" + closed), BUCKET)))
        .isInstanceOf(ArtifactStoreUnavailableException.class)
        .hasMessageStartingWith(
            "the S3 bucket \"" + BUCKET + "\" at http://127.0.0.1:" + closed + " cannot be reached")
        .hasMessageEndingWith("check kiln.artifacts.s3.endpoint and that the store is running.");
  }

  private static KilnProperties store(Path home, URI endpoint, String bucket) {
    KilnProperties p = TestProperties.kiln(home);
    return new KilnProperties(
        p.home(),
        p.internal(),
        p.temporal(),
        p.repos(),
        p.archs(),
        new KilnProperties.Artifacts(
            DataSize.ofMegabytes(1),
            10,
            DataSize.ofMegabytes(10),
            KilnProperties.Store.S3,
            new KilnProperties.S3(
                endpoint,
                SeaweedFs.REGION,
                bucket,
                SeaweedFs.ACCESS_KEY,
                SeaweedFs.SECRET_KEY,
                true)),
        p.http(),
        p.logs(),
        p.dispatch(),
        p.publicUrl());
  }

  private void overwrite(String key, byte[] data, String sha256Metadata) {
    seaweed
        .client()
        .putObject(
            b -> b.bucket(BUCKET).key(key).metadata(Map.of("sha256", sha256Metadata)),
            RequestBody.fromBytes(data));
  }

  private long resolvedRun(String repo, String ref) {
    long id = runs.insert(newRun(repo, ref, "x86_64")).orElseThrow();
    worker(
        "/internal/runs/" + id + "/resolved",
        "{\"sha\": \"" + SHA + "\", \"branch\": \"" + ref + "\", \"gates\": []}");
    return id;
  }

  private void finish(long id) {
    worker("/internal/runs/" + id + "/finish", "{\"result\": \"passed\"}");
  }

  private void worker(String path, String json) {
    HttpResponse<String> response = http.postJson(path, json, "Authorization", AUTH);
    assertThat(response.statusCode()).as(path + " " + response.body()).isBetween(200, 299);
  }

  private HttpResponse<String> put(long runId, String path, byte[] data, String sha256) {
    return http.send(
        http.request("/internal/runs/" + runId + "/artifacts?path=" + path)
            .header("Authorization", AUTH)
            .header("Content-Type", "application/octet-stream")
            .header("X-Kiln-Sha256", sha256)
            .PUT(HttpRequest.BodyPublishers.ofByteArray(data))
            .build());
  }

  private HttpResponse<byte[]> download(long runId, String path, String range) {
    HttpRequest.Builder request = http.request("/runs/" + runId + "/artifacts/" + path);
    if (range != null) {
      request.header("Range", range);
    }
    return http.sendForBytes(request.GET().build());
  }

  private static byte[] bundle(String pack) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.writeBytes(
        ("# v2 git bundle\n" + SHA + " refs/heads/kiln-submission\n\n")
            .getBytes(StandardCharsets.UTF_8));
    bytes.writeBytes(pack.getBytes(StandardCharsets.UTF_8));
    return bytes.toByteArray();
  }

  /** Bytes that differ all along, so a range from the wrong place cannot pass for the right one. */
  private static byte[] bytes(int n, long seed) {
    byte[] data = new byte[n];
    new Random(seed).nextBytes(data);
    return data;
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static String sha256(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }
}
