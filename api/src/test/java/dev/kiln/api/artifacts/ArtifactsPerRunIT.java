package dev.kiln.api.artifacts;

import static dev.kiln.api.support.Runs.newRun;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.runs.RunRepository;
import dev.kiln.api.support.Http;
import dev.kiln.api.support.KilnApp;
import dev.kiln.api.support.TestProperties;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Artifacts as a worker stages them and a client downloads them, over HTTP: each run's under its
 * own name and final once the run ends, within the run's quotas, and never served as a page.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
class ArtifactsPerRunIT {

  static final String AUTH = "Bearer " + TestProperties.TOKEN;
  static final String SHA = "9f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c";
  static final int MAX_COUNT = 3;
  static final int MAX_TOTAL = 100;

  static Path home;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) throws IOException {
    home = Files.createTempDirectory("kiln-home");
    KilnApp.register(registry, home);
    registry.add("kiln.temporal.address", () -> "localhost:1");
    registry.add("kiln.artifacts.max-count", () -> Integer.toString(MAX_COUNT));
    registry.add("kiln.artifacts.max-total-size", () -> MAX_TOTAL + "B");
  }

  @LocalServerPort int port;
  @Autowired RunRepository runs;
  Http http;

  @BeforeEach
  void client() {
    http = new Http(port);
  }

  @Test
  void aSecondRunOfTheSameShaCannotReplaceTheFirstRunsFileOrHash() throws Exception {
    byte[] first = "built first\n".getBytes(StandardCharsets.UTF_8);
    byte[] second = "built again, differently\n".getBytes(StandardCharsets.UTF_8);
    long one = resolvedRun();
    assertThat(put(one, "dist/app.bin", first).statusCode()).isEqualTo(201);
    finish(one);
    long two = resolvedRun();

    HttpResponse<String> overwrite = put(two, "dist/app.bin", second);
    HttpResponse<String> late = put(one, "dist/app.bin", second);

    assertThat(overwrite.statusCode()).isEqualTo(201);
    assertThat(late.statusCode()).isEqualTo(409);
    assertThat(Http.json(late).path("detail").asString())
        .isEqualTo("run " + one + " has ended (passed); a finished run's artifacts are final");
    assertThat(download(one).body()).isEqualTo(first);
    assertThat(download(one).headers().firstValue("X-Kiln-Sha256")).contains(sha256(first));
    assertThat(listedSha(one)).isEqualTo(sha256(first));
    assertThat(home.resolve("artifacts/runs/" + one + "/dist/app.bin")).hasBinaryContent(first);
    assertThat(download(two).body()).isEqualTo(second);
    assertThat(listedSha(two)).isEqualTo(sha256(second));
  }

  @Test
  void uploadsPastARunsCountOrByteQuotaAreRefusedNamingTheQuotaAndStoreNothing() throws Exception {
    long run = resolvedRun();
    for (int i = 1; i <= MAX_COUNT; i++) {
      assertThat(put(run, "out/" + i + ".txt", bytes(10)).statusCode()).isEqualTo(201);
    }

    HttpResponse<String> fourth = put(run, "out/4.txt", bytes(10));
    HttpResponse<String> again = put(run, "out/3.txt", bytes(12));
    HttpResponse<String> tooMuch = put(run, "out/2.txt", bytes(81));

    assertThat(fourth.statusCode()).isEqualTo(413);
    assertThat(Http.json(fourth).path("detail").asString())
        .isEqualTo(
            "run "
                + run
                + " already has 3 artifacts, the most one run may keep (kiln.artifacts.max-count"
                + " = 3); \"out/4.txt\" was not stored");
    assertThat(again.statusCode()).as("replacing one of its own").isEqualTo(201);
    assertThat(tooMuch.statusCode()).isEqualTo(413);
    assertThat(Http.json(tooMuch).path("detail").asString())
        .isEqualTo(
            "\"out/2.txt\" (81 bytes) would take run "
                + run
                + "'s artifacts past 100 bytes, the most one run may keep"
                + " (kiln.artifacts.max-total-size); its other 2 artifacts take 22 bytes");
    assertThat(home.resolve("artifacts/runs/" + run + "/out/4.txt")).doesNotExist();
    assertThat(home.resolve("artifacts/runs/" + run + "/out/2.txt")).hasSize(10);
    assertThat(Http.json(http.get("/runs/" + run + "/artifacts")).path("artifacts")).hasSize(3);
    try (var incoming = Files.list(home.resolve("artifacts/.incoming"))) {
      assertThat(incoming).as("no upload left half-way").isEmpty();
    }
  }

  @Test
  void anHtmlArtifactIsDownloadedAsAnAttachmentThatNoBrowserSniffs() throws Exception {
    byte[] page =
        "<html><script>fetch('/tokens').then(r => r.text()).then(alert)</script></html>"
            .getBytes(StandardCharsets.UTF_8);
    long run = resolvedRun();
    assertThat(put(run, "site/index.html", page).statusCode()).isEqualTo(201);

    HttpResponse<byte[]> download =
        http.sendForBytes(
            http.request("/runs/" + run + "/artifacts/site/index.html").GET().build());

    assertThat(download.statusCode()).isEqualTo(200);
    assertThat(download.body()).isEqualTo(page);
    assertThat(download.headers().allValues("Content-Disposition"))
        .singleElement()
        .asString()
        .startsWith("attachment; filename=\"index.html\"");
    assertThat(download.headers().allValues("X-Content-Type-Options")).containsExactly("nosniff");
    assertThat(download.headers().allValues("Content-Type"))
        .containsExactly("application/octet-stream");
  }

  private long resolvedRun() {
    long id = runs.insert(newRun("https://example.com/app.git", "main", "x86_64")).orElseThrow();
    worker(
        "/internal/runs/" + id + "/resolved",
        "{\"sha\": \"" + SHA + "\", \"branch\": \"main\", \"gates\": []}");
    return id;
  }

  private void finish(long id) {
    worker("/internal/runs/" + id + "/finish", "{\"result\": \"passed\"}");
  }

  private void worker(String path, String json) {
    assertThat(http.postJson(path, json, "Authorization", AUTH).statusCode()).isBetween(200, 299);
  }

  private HttpResponse<String> put(long runId, String path, byte[] data) throws Exception {
    return http.send(
        http.request("/internal/runs/" + runId + "/artifacts?path=" + path)
            .header("Authorization", AUTH)
            .header("Content-Type", "application/octet-stream")
            .header("X-Kiln-Sha256", sha256(data))
            .PUT(HttpRequest.BodyPublishers.ofByteArray(data))
            .build());
  }

  private HttpResponse<byte[]> download(long runId) {
    return http.sendForBytes(
        http.request("/runs/" + runId + "/artifacts/dist/app.bin").GET().build());
  }

  private String listedSha(long runId) {
    return Http.json(http.get("/runs/" + runId + "/artifacts"))
        .path("artifacts")
        .get(0)
        .path("sha256")
        .asString();
  }

  private static byte[] bytes(int n) {
    return "x".repeat(n).getBytes(StandardCharsets.UTF_8);
  }

  private static String sha256(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }
}
