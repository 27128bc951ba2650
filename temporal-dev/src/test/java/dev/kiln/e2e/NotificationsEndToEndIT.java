package dev.kiln.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Notifications on the real dev stack, to HTTP servers of the test's own on loopback (allowed with
 * {@code kiln.repos.allow-hosts=127.0.0.1}, as an operator would allow an internal host): a webhook
 * that answers 500 twice gets its third, signed, delivery through after Temporal's retries and the
 * run view says so; one that answers 400 is not retried; a GitHub-shaped commit status API gets
 * {@code pending} then {@code success} for a passing run and {@code failure} for a failing one,
 * each context's state once; a webhook left at its default hears only of the lane that broke; a
 * superseded run's contexts end {@code error}, "superseded by run N" (Gitea-shaped here).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NotificationsEndToEndIT {

  static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);
  static final Duration DELIVERY_TIMEOUT = Duration.ofMinutes(2);
  static final ObjectMapper JSON = new ObjectMapper();

  static final String FLAKY_SECRET = "flaky-receivers-secret";
  static final String REJECTING_SECRET = "rejecting-receivers-secret";
  static final String CHANGES_SECRET = "changes-receivers-secret";
  static final String TOKEN = "ghp_test-token";

  /** Passes unless the commit has a file named {@code broken}. */
  static final String KILN_YAML =
      """
      compile:
        - echo compiling
      gates:
        - name: unit
          run: test ! -f broken
      """;

  @TempDir static Path temp;
  static DevStackProcess stack;
  static KilnHttp api;
  static LoopbackReceiver receiver;
  static String repo;
  static String arch;

  @BeforeAll
  static void startStackAndRegisterARepositoryWithTargets() throws Exception {
    receiver =
        new LoopbackReceiver()
            .answer("/flaky", n -> n <= 2 ? 500 : 200)
            .answer("/rejecting", n -> 400)
            .answer("/changes", n -> 200)
            .answer("/github/", n -> 201)
            .answer("/superseding/", n -> 201);
    stack =
        DevStackProcess.start(
            temp.resolve("kiln-home"),
            Map.of(
                "KILN_REPOS_ALLOW_HOSTS", "127.0.0.1",
                "KILN_NOTIFY_INITIAL_INTERVAL", "1s",
                "KILN_NOTIFY_MAX_INTERVAL", "2s"));
    api = new KilnHttp(stack.baseUrl());
    repo =
        new GitFixtures(temp.resolve("repos")).project("notified", Map.of("kiln.yaml", KILN_YAML));
    String targets =
        JSON.writeValueAsString(
            List.of(
                Map.of(
                    "type",
                    "webhook",
                    "url",
                    receiver.url("/flaky"),
                    "secret",
                    FLAKY_SECRET,
                    "on",
                    "all"),
                Map.of(
                    "type",
                    "webhook",
                    "url",
                    receiver.url("/rejecting"),
                    "secret",
                    REJECTING_SECRET,
                    "on",
                    "all"),
                Map.of(
                    "type", "webhook", "url", receiver.url("/changes"), "secret", CHANGES_SECRET),
                Map.of(
                    "type",
                    "github-status",
                    "url",
                    receiver.url("/github"),
                    "repository",
                    "octo-org/app",
                    "token",
                    TOKEN)));
    KilnHttp.Answer registered =
        api.post(
            "/repos",
            "{\"url\": \""
                + repo
                + "\", \"branches\": [\"main\"], \"notify_targets\": "
                + targets
                + "}");
    assertThat(registered.status()).as(registered.body()).isEqualTo(201);
    assertThat(registered.body()).doesNotContain(FLAKY_SECRET, TOKEN);
    arch = registered.json().path("archs").get(0).asText();
  }

  @AfterAll
  static void stopEverything() throws Exception {
    if (stack != null) {
      stack.stopLeavingNothingBehind();
    }
    if (receiver != null) {
      receiver.close();
    }
  }

  @Test
  void everyTargetIsToldOfItsRunsAsItsSettingsSay() throws Exception {
    // a passing run
    JsonNode passed = build();
    assertThat(passed.path("result").asText()).as(passed.toString()).isEqualTo("passed");
    long passedId = passed.path("run_id").asLong();

    // the flaky webhook: 500, 500, then 200; three signed deliveries of the same run
    JsonNode flaky = awaitNotification(passedId, "/flaky", "delivered");
    assertThat(flaky.path("attempts").asInt()).isEqualTo(3);
    assertThat(flaky.path("event").asText()).isEqualTo("ended");
    assertThat(flaky.path("target").has("secret")).isFalse();
    List<LoopbackReceiver.Received> deliveries = receiver.at("/flaky");
    assertThat(deliveries).hasSize(3);
    for (LoopbackReceiver.Received delivery : deliveries) {
      assertThat(validSignature(FLAKY_SECRET, delivery)).as(delivery.text()).isTrue();
      JsonNode body = JSON.readTree(delivery.body());
      assertThat(body.path("event").asText()).isEqualTo("ended");
      assertThat(body.path("run").path("run_id").asLong()).isEqualTo(passedId);
      assertThat(body.path("run").path("result").asText()).isEqualTo("passed");
      assertThat(body.path("run_url").asText()).endsWith("/runs/" + passedId);
      assertThat(delivery.headers().get("Content-Type")).startsWith("application/json");
    }

    // the rejecting webhook: one 400, never retried
    JsonNode rejected = awaitNotification(passedId, "/rejecting", "failed");
    assertThat(rejected.path("attempts").asInt()).isEqualTo(1);
    assertThat(rejected.path("last_error").asText()).startsWith("HTTP 400");
    assertThat(receiver.at("/rejecting")).hasSize(1);
    assertThat(validSignature(REJECTING_SECRET, receiver.at("/rejecting").get(0))).isTrue();

    // the commit status API: pending, then success, in the build's and the gate's context
    String build = "kiln/build (" + arch + ")";
    String unit = "kiln/gate unit (" + arch + ")";
    awaitNotification(passedId, "/github", "delivered", "ended");
    List<String> passedStatuses = statuses(passed.path("sha").asText());
    assertThat(passedStatuses)
        .containsExactlyInAnyOrder(
            build + "=pending", unit + "=pending", build + "=success", unit + "=success");
    assertThat(passedStatuses.indexOf(build + "=pending"))
        .isLessThan(passedStatuses.indexOf(build + "=success"));
    assertThat(passedStatuses.indexOf(unit + "=pending"))
        .isLessThan(passedStatuses.indexOf(unit + "=success"));
    LoopbackReceiver.Received status = receiver.at("/github/").get(0);
    assertThat(status.path())
        .isEqualTo("/github/repos/octo-org/app/statuses/" + passed.path("sha").asText());
    assertThat(status.headers().get("Authorization")).isEqualTo("Bearer " + TOKEN);
    assertThat(JSON.readTree(status.body()).path("target_url").asText())
        .endsWith("/runs/" + passedId);

    // the lane's first verdict is a pass: nothing broke, the default webhook heard nothing
    assertThat(receiver.at("/changes")).isEmpty();

    // a failing run: the gate's context fails, the default webhook hears that the lane broke
    GitFixtures.commitFile(repo, "broken", "yes");
    JsonNode failed = build();
    assertThat(failed.path("result").asText()).as(failed.toString()).isEqualTo("failed");
    long failedId = failed.path("run_id").asLong();
    awaitNotification(failedId, "/github", "delivered", "ended");
    assertThat(statuses(failed.path("sha").asText()))
        .containsExactlyInAnyOrder(
            build + "=pending", unit + "=pending", build + "=success", unit + "=failure");
    awaitNotification(failedId, "/changes", "delivered");
    assertThat(receiver.at("/changes")).hasSize(1);
    LoopbackReceiver.Received broke = receiver.at("/changes").get(0);
    assertThat(validSignature(CHANGES_SECRET, broke)).isTrue();
    assertThat(JSON.readTree(broke.body()).path("change").asText()).isEqualTo("broke");
    assertThat(JSON.readTree(broke.body()).path("run").path("run_id").asLong()).isEqualTo(failedId);
  }

  /** A run cut short by a newer one of its lane ends with its open contexts marked so. */
  @Test
  void aSupersededRunsStatusesSayWhichRunSupersededIt() throws Exception {
    String slow =
        new GitFixtures(temp.resolve("repos"))
            .project(
                "superseded",
                Map.of(
                    "kiln.yaml",
                    KILN_YAML.replace("- echo compiling", "- echo compiling slowly && sleep 60")));
    String target =
        JSON.writeValueAsString(
            Map.of(
                "type",
                "gitea-status",
                "url",
                receiver.url("/superseding"),
                "repository",
                "team/app",
                "token",
                TOKEN));
    KilnHttp.Answer registered =
        api.post("/repos", "{\"url\": \"" + slow + "\", \"notify_targets\": [" + target + "]}");
    assertThat(registered.status()).as(registered.body()).isEqualTo(201);

    long first = start(slow);
    Awaitility.await("run " + first + " compiling")
        .atMost(BUILD_TIMEOUT)
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(300))
        .until(() -> api.get("/runs/" + first + "/logs").body().contains("compiling slowly"));
    GitFixtures.commitFile(slow, "kiln.yaml", KILN_YAML);
    long second = start(slow);

    JsonNode superseded = api.awaitEnd(first, BUILD_TIMEOUT);
    assertThat(superseded.path("result").asText()).as(superseded.toString()).isEqualTo("aborted");
    awaitNotification(first, "/superseding", "delivered", "ended");
    String sha = superseded.path("sha").asText();
    List<JsonNode> ended = new java.util.ArrayList<>();
    for (LoopbackReceiver.Received r : receiver.at("/superseding/repos/team/app/statuses/" + sha)) {
      JsonNode body = JSON.readTree(r.body());
      if (!body.path("state").asText().equals("pending")) {
        ended.add(body);
      }
      assertThat(r.headers().get("Authorization")).isEqualTo("token " + TOKEN);
    }
    assertThat(ended)
        .extracting(b -> b.path("context").asText() + "=" + b.path("state").asText())
        .containsExactlyInAnyOrder(
            "kiln/build (" + arch + ")=error", "kiln/gate unit (" + arch + ")=error");
    assertThat(ended)
        .allSatisfy(
            b ->
                assertThat(b.path("description").asText())
                    .isEqualTo("superseded by run " + second));
    assertThat(api.awaitEnd(second, BUILD_TIMEOUT).path("result").asText()).isEqualTo("passed");
  }

  private static long start(String repository) throws Exception {
    KilnHttp.Answer started = api.rebuild(Map.of("repo", repository, "ref", "main"));
    assertThat(started.status()).as(started.body()).isEqualTo(202);
    return started.json().path("run_id").asLong();
  }

  private static JsonNode build() throws Exception {
    return api.awaitEnd(start(repo), BUILD_TIMEOUT);
  }

  /** The {@code ended} notification of the target at {@code path}, once in {@code state}. */
  private static JsonNode awaitNotification(long runId, String path, String state) {
    return awaitNotification(runId, path, state, "ended");
  }

  private static JsonNode awaitNotification(long runId, String path, String state, String event) {
    JsonNode[] found = new JsonNode[1];
    Awaitility.await("run " + runId + ": " + event + " notification to " + path + " " + state)
        .atMost(DELIVERY_TIMEOUT)
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> {
              for (JsonNode n : api.get("/runs/" + runId).json().path("notifications")) {
                if (n.path("target").path("url").asText().equals(receiver.url(path))
                    && n.path("event").asText().equals(event)
                    && n.path("state").asText().equals(state)) {
                  found[0] = n;
                  return true;
                }
              }
              return false;
            });
    return found[0];
  }

  /** The statuses posted for {@code sha}, in order, as {@code <context>=<state>}. */
  private static List<String> statuses(String sha) throws Exception {
    List<String> posted = new java.util.ArrayList<>();
    for (LoopbackReceiver.Received r : receiver.at("/github/repos/octo-org/app/statuses/" + sha)) {
      JsonNode body = JSON.readTree(r.body());
      posted.add(body.path("context").asText() + "=" + body.path("state").asText());
    }
    return posted;
  }

  /** What a receiver does: HMAC-SHA256 of the raw body, compared in constant time. */
  private static boolean validSignature(String secret, LoopbackReceiver.Received delivery)
      throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    String expected = "sha256=" + HexFormat.of().formatHex(mac.doFinal(delivery.body()));
    String given = delivery.headers().getOrDefault("X-Kiln-Signature", "");
    return MessageDigest.isEqual(
        expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
  }
}
