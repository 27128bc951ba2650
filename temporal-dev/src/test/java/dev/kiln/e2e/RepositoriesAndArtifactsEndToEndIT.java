package dev.kiln.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.workflows.retention.RetentionSchedule;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleClientOptions;
import io.temporal.client.schedules.ScheduleDescription;
import io.temporal.client.schedules.ScheduleIntervalSpec;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Repository URLs, artifacts and retention, black-box against the real dev stack. The stack runs
 * with {@code kiln.repos.allow-hosts} unset: every loopback spelling is refused at submit, and a
 * listener of the test on each loopback address proves that nothing connected. Artifacts have a
 * quota of {@value #MAX_ARTIFACTS} per run; repositories under {@code short-lived/} keep their logs
 * and artifacts for one second.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class RepositoriesAndArtifactsEndToEndIT {

  static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);
  static final int MAX_ARTIFACTS = 3;

  @TempDir static Path temp;
  static DevStackProcess stack;
  static KilnHttp api;
  static GitFixtures fixtures;
  static GitFixtures shortLived;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void startStack() throws Exception {
    Path shortLivedRoot = temp.resolve("short-lived");
    stack =
        DevStackProcess.start(
            temp.resolve("kiln-home"),
            Map.of(
                "KILN_ARTIFACTS_MAX_COUNT",
                Integer.toString(MAX_ARTIFACTS),
                "KILN_RETENTION_REPOS_0_PATTERN",
                shortLivedRoot.toUri() + "**",
                "KILN_RETENTION_REPOS_0_KEEP",
                "1s"));
    api = new KilnHttp(stack.baseUrl());
    fixtures = new GitFixtures(temp.resolve("repos"));
    shortLived = new GitFixtures(shortLivedRoot);
  }

  @AfterAll
  static void stopStack() throws Exception {
    if (stack != null) {
      stack.stopLeavingNothingBehind();
    }
  }

  @Test
  void loopbackInEverySpellingIsRefusedAtSubmitAndNothingConnects() throws Exception {
    int runsBefore = api.get("/runs?limit=200").json().path("runs").size();
    try (Listener v4 = new Listener("127.0.0.1");
        Listener v6 = new Listener("::1")) {
      for (String url :
          List.of(
              "http://127.0.0.1:" + v4.port() + "/team/app.git",
              "http://[::1]:" + v6.port() + "/team/app.git",
              "http://0x7f.1:" + v4.port() + "/team/app.git",
              "http://2130706433:" + v4.port() + "/team/app.git",
              "http://[::ffff:127.0.0.1]:" + v4.port() + "/team/app.git",
              "http://localhost:" + v4.port() + "/team/app.git")) {
        KilnHttp.Answer answer = api.rebuild(Map.of("repo", url));

        assertThat(answer.status()).as(url + ": " + answer.body()).isEqualTo(400);
        assertThat(answer.contentType()).startsWith("application/problem+json");
        assertThat(answer.json().path("detail").asText())
            .as(url)
            .startsWith("repo: host ")
            .contains("loopback address");
      }

      assertThat(v4.connections()).as("connections to 127.0.0.1").isZero();
      assertThat(v6.connections()).as("connections to [::1]").isZero();
    }
    assertThat(api.get("/runs?limit=200").json().path("runs").size()).isEqualTo(runsBefore);
  }

  @Test
  void aTokenInTheUrlIsRefusedPointingToRepositoryCredentialsAndStoredNowhere() throws Exception {
    String secret = "ghp_e2eSecretThatMustNotBeStored";

    KilnHttp.Answer answer =
        api.rebuild(Map.of("repo", "https://" + secret + "@github.com/acme/app.git"));

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.json().path("detail").asText())
        .contains("must not contain a user name or password")
        .contains("kiln.repos.credentials")
        .doesNotContain(secret);
    assertThat(api.get("/runs?limit=200").body()).doesNotContain(secret);
    assertThat(stack.console()).doesNotContain(secret);
  }

  @Test
  void aSecondRunOfTheSameShaLeavesTheFirstRunsArtifactsAsTheyWereAndHtmlIsAnAttachment()
      throws Exception {
    String repo =
        fixtures.repository(
            "scripted",
            Map.of(
                "kiln.yaml",
                """
                compile:
                  - run: mkdir -p out && date +%s%N > out/build.txt && cp report.html out/
                stage:
                  artifacts: ["out/*"]
                """,
                "report.html",
                "<html><script>fetch('/tokens')</script></html>\n"));
    JsonNode first = rebuildAndWait(repo);
    String firstSha = artifact(first, "out/build.txt").path("sha256").asText();
    byte[] firstBytes = download(first, "out/build.txt").body();

    JsonNode second = rebuildAndWait(repo);

    assertThat(second.path("sha").asText()).isEqualTo(first.path("sha").asText());
    assertThat(artifact(second, "out/build.txt").path("sha256").asText()).isNotEqualTo(firstSha);
    JsonNode firstAgain = api.get("/runs/" + first.path("run_id").asLong()).json();
    assertThat(artifact(firstAgain, "out/build.txt").path("sha256").asText()).isEqualTo(firstSha);
    byte[] firstBytesAgain = download(first, "out/build.txt").body();
    assertThat(firstBytesAgain).isEqualTo(firstBytes);
    assertThat(sha256(firstBytesAgain)).isEqualTo(firstSha);

    HttpResponse<byte[]> html = download(second, "out/report.html");
    assertThat(html.headers().firstValue("Content-Disposition").orElseThrow())
        .startsWith("attachment; filename=\"report.html\"");
    assertThat(html.headers().allValues("X-Content-Type-Options")).containsExactly("nosniff");
    assertThat(html.headers().firstValue("Content-Type")).contains("application/octet-stream");
  }

  @Test
  void aRunPastItsArtifactQuotaFailsItsStageStepNamingTheQuota() throws Exception {
    String repo =
        fixtures.repository(
            "scripted",
            Map.of(
                "kiln.yaml",
                """
                compile:
                  - run: mkdir -p out && for i in 1 2 3 4 5; do echo $i > out/$i.txt; done
                stage:
                  artifacts: ["out/*.txt"]
                """));

    JsonNode run = rebuildAndWait(repo);

    assertThat(run.path("result").asText()).as(run.toPrettyString()).isEqualTo("failed");
    assertThat(run.path("failure_summary").asText())
        .isEqualTo(
            "stage failed: \"out/4.txt\" refused: run "
                + run.path("run_id").asLong()
                + " already has 3 artifacts, the most one run may keep"
                + " (kiln.artifacts.max-count = 3); \"out/4.txt\" was not stored (3 of 5 matching"
                + " files staged)");
    assertThat(run.path("artifacts")).hasSize(MAX_ARTIFACTS);
  }

  @Test
  void theDailyRetentionScheduleRemovesOldRunsLogsAndArtifactsButKeepsTheNewestOfTheLane()
      throws Exception {
    String repo =
        shortLived.repository(
            "scripted",
            Map.of(
                "kiln.yaml",
                """
                compile:
                  - run: echo built > built.txt
                stage:
                  artifacts: ["built.txt"]
                """));
    JsonNode older = rebuildAndWait(repo);
    JsonNode newest = rebuildAndWait(repo);
    long olderId = older.path("run_id").asLong();
    long newestId = newest.path("run_id").asLong();

    WorkflowServiceStubs service =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(stack.temporalAddress()).build());
    try {
      ScheduleClient schedules =
          ScheduleClient.newInstance(
              service, ScheduleClientOptions.newBuilder().setNamespace("default").build());
      ScheduleDescription registered = schedules.getHandle(RetentionSchedule.ID).describe();
      assertThat(registered.getSchedule().getSpec().getIntervals())
          .containsExactly(new ScheduleIntervalSpec(Duration.ofDays(1), Duration.ofHours(3)));
      assertThat(RetentionSchedule.register(schedules))
          .as("registering again finds the schedule")
          .isFalse();

      // The older run is removed only once it ended longer ago than its repository keeps runs
      // (1 s here): a newest run that builds quickly can end within that second, and a retention
      // run triggered then rightly keeps both.
      Instant removable = Instant.parse(older.path("finished_at").asText()).plusMillis(1500);
      await().atMost(Duration.ofSeconds(10)).until(() -> Instant.now().isAfter(removable));
      schedules.getHandle(RetentionSchedule.ID).trigger();

      await()
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> !api.get("/runs/" + olderId).json().path("retention").isNull());
    } finally {
      service.shutdownNow();
    }

    JsonNode removed = api.get("/runs/" + olderId).json();
    assertThat(removed.path("result").asText()).isEqualTo("passed");
    assertThat(removed.path("artifacts")).isEmpty();
    assertThat(removed.path("retention").path("kept_for").asText()).isEqualTo("1s");
    assertThat(removed.path("retention").path("note").asText())
        .contains("after the run ended (kiln.retention)");
    assertThat(api.get("/runs/" + olderId + "/logs").status()).isEqualTo(410);
    assertThat(download(older, "built.txt").statusCode()).isEqualTo(410);
    JsonNode kept = api.get("/runs/" + newestId).json();
    assertThat(kept.path("retention").isNull()).isTrue();
    assertThat(api.get("/runs/" + newestId + "/logs").body()).contains("echo built");
    assertThat(download(newest, "built.txt").statusCode()).isEqualTo(200);
  }

  private static JsonNode rebuildAndWait(String repo) throws Exception {
    KilnHttp.Answer accepted = api.rebuild(Map.of("repo", repo));
    assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
    return api.awaitEnd(accepted.json().path("run_id").asLong(), BUILD_TIMEOUT);
  }

  private static JsonNode artifact(JsonNode run, String path) {
    for (JsonNode artifact : run.path("artifacts")) {
      if (path.equals(artifact.path("path").asText())) {
        return artifact;
      }
    }
    throw new AssertionError("no artifact " + path + " in " + run.toPrettyString());
  }

  private static HttpResponse<byte[]> download(JsonNode run, String path) throws Exception {
    URI uri =
        URI.create(stack.baseUrl() + "/runs/" + run.path("run_id").asLong() + "/artifacts/" + path);
    return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static String sha256(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }

  /** A loopback listener of the test that counts the connections it accepts. */
  static final class Listener implements AutoCloseable {
    private final ServerSocket socket = new ServerSocket();
    private final AtomicInteger accepted = new AtomicInteger();

    Listener(String address) throws IOException {
      socket.bind(new InetSocketAddress(InetAddress.getByName(address), 0));
      Thread acceptor =
          new Thread(
              () -> {
                while (!socket.isClosed()) {
                  try (Socket ignored = socket.accept()) {
                    accepted.incrementAndGet();
                  } catch (IOException e) {
                    return;
                  }
                }
              },
              "listener-" + address);
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    int connections() {
      return accepted.get();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
