package dev.kiln.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.awaitility.Awaitility;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A registered repository built by GitHub's webhooks on the real dev stack: a signed push starts
 * exactly one run of the pushed sha, its redelivery none, a tampered body is refused; a pull
 * request's {@code synchronize} builds its new head with {@code mr} set and supersedes the
 * request's previous head, never the branch lane's build. A branch under the {@code queue} policy
 * builds every push in turn, and its deletion cancels what still runs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookEndToEndIT {

  static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);

  /** Long enough for the next delivery to find the build still compiling. */
  static final String SLOW_BUILD =
      """
      compile:
        - run: |
            echo "compiling"
            sleep 20
            echo "compiled"
      """;

  @TempDir static Path temp;
  static DevStackProcess stack;
  static KilnHttp api;
  static String repo;
  static String secret;

  @BeforeAll
  static void startStackAndRegisterARepository() throws Exception {
    stack = DevStackProcess.start(temp.resolve("kiln-home"));
    api = new KilnHttp(stack.baseUrl());
    repo =
        new GitFixtures(temp.resolve("repos"))
            .repository("c-make", Map.of("kiln.yaml", SLOW_BUILD));
    KilnHttp.Answer registered =
        api.post("/repos", "{\"url\": \"" + repo + "\", \"branches\": [\"main\"]}");
    assertThat(registered.status()).as(registered.body()).isEqualTo(201);
    secret = registered.json().path("webhook_secret").asText();
  }

  @AfterAll
  static void stopStack() throws Exception {
    if (stack != null) {
      stack.stopLeavingNothingBehind();
    }
  }

  @Test
  void aSignedPushBuildsThePushedShaOnceAndPullRequestHeadsSupersedeOnlyEachOther()
      throws Exception {
    // a push to main: one run of the pushed sha in main's lane
    String mainSha = head("main");
    String push = payload("github-push", Map.of("repo", repo, "branch", "main", "sha", mainSha));
    String delivery = UUID.randomUUID().toString();
    KilnHttp.Answer accepted = github("push", delivery, push, sign(push));
    assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
    assertThat(accepted.json().path("runs")).hasSize(1);
    long mainRun = accepted.json().path("runs").get(0).path("run_id").asLong();
    assertThat(runsOf(repo)).isEqualTo(1);

    // the forge delivers it again: nothing more starts
    KilnHttp.Answer again = github("push", delivery, push, sign(push));
    assertThat(again.status()).as(again.body()).isEqualTo(200);
    assertThat(again.json().path("duplicate").asBoolean()).isTrue();
    // a tampered body under the original signature
    String tampered = push.replace("Update README.md", "Update README.md and more");
    KilnHttp.Answer refused = github("push", UUID.randomUUID().toString(), tampered, sign(push));
    assertThat(refused.status()).as(refused.body()).isEqualTo(401);
    assertThat(runsOf(repo)).isEqualTo(1);
    awaitCompiling(mainRun);

    // a pull request from a branch: opened, then synchronized with a new head
    String firstHead = commitOnBranch("feature", "a.txt", "first");
    KilnHttp.Answer opened = pullRequest("opened", firstHead);
    long firstPrRun = opened.json().path("runs").get(0).path("run_id").asLong();
    awaitCompiling(firstPrRun);
    String secondHead = commitOnBranch("feature", "a.txt", "second");
    KilnHttp.Answer synchronized_ = pullRequest("synchronize", secondHead);
    long secondPrRun = synchronized_.json().path("runs").get(0).path("run_id").asLong();

    JsonNode first = api.awaitEnd(firstPrRun, BUILD_TIMEOUT);
    assertThat(first.path("result").asText()).as(first.toString()).isEqualTo("aborted");
    assertThat(first.path("superseded_by").asLong()).isEqualTo(secondPrRun);
    JsonNode second = api.awaitEnd(secondPrRun, BUILD_TIMEOUT);
    assertThat(second.path("result").asText()).as(second.toString()).isEqualTo("passed");
    assertThat(second.path("mr").asText()).isEqualTo("42");
    assertThat(second.path("sha").asText()).isEqualTo(secondHead);
    assertThat(second.path("lane").asText()).endsWith("#mr:42@" + second.path("arch").asText());

    JsonNode main = api.awaitEnd(mainRun, BUILD_TIMEOUT);
    assertThat(main.path("result").asText())
        .as("the pull request's builds left main's lane alone: " + main)
        .isEqualTo("passed");
    assertThat(main.path("sha").asText()).isEqualTo(mainSha);
    assertThat(main.path("ref").asText()).isEqualTo(mainSha);
    assertThat(main.path("branch").asText()).isEqualTo("main");
    assertThat(main.path("triggered_by").asText()).isEqualTo("hook:github");
    assertThat(runsOf(repo)).isEqualTo(3);
  }

  /**
   * Under {@code queue}, a deployment branch's policy, a second push waits for the first build
   * instead of cutting it short; then both build. Deleting the branch cancels what still runs.
   */
  @Test
  void aQueuedBranchBuildsEveryPushInTurnAndItsDeletionCancelsWhatStillRuns() throws Exception {
    String deploy =
        new GitFixtures(temp.resolve("repos"))
            .repository("c-make", Map.of("kiln.yaml", SLOW_BUILD));
    KilnHttp.Answer registered =
        api.post(
            "/repos",
            "{\"url\": \""
                + deploy
                + "\", \"supersede\": [{\"branches\": \"main\", \"policy\": \"queue\"}]}");
    assertThat(registered.status()).as(registered.body()).isEqualTo(201);
    String deploySecret = registered.json().path("webhook_secret").asText();

    String first = commitOn(deploy, "main", "deploy.txt", "1");
    long firstRun = pushed(deploy, deploySecret, "main", first);
    awaitCompiling(firstRun);
    String second = commitOn(deploy, "main", "deploy.txt", "2");
    long secondRun = pushed(deploy, deploySecret, "main", second);

    JsonNode firstEnd = api.awaitEnd(firstRun, BUILD_TIMEOUT);
    assertThat(firstEnd.path("result").asText()).as(firstEnd.toString()).isEqualTo("passed");
    JsonNode secondEnd = api.awaitEnd(secondRun, BUILD_TIMEOUT);
    assertThat(secondEnd.path("result").asText()).as(secondEnd.toString()).isEqualTo("passed");
    assertThat(secondEnd.path("sha").asText()).isEqualTo(second);

    String third = commitOn(deploy, "main", "deploy.txt", "3");
    long thirdRun = pushed(deploy, deploySecret, "main", third);
    awaitCompiling(thirdRun);
    String deletion =
        payload("github-push", Map.of("repo", deploy, "branch", "main", "sha", "0".repeat(40)))
            .replace("\"deleted\": false", "\"deleted\": true");
    KilnHttp.Answer deleted =
        github("push", UUID.randomUUID().toString(), deletion, sign(deploySecret, deletion));
    assertThat(deleted.status()).as(deleted.body()).isEqualTo(202);
    assertThat(deleted.json().path("cancelled").get(0).asLong()).isEqualTo(thirdRun);
    JsonNode thirdEnd = api.awaitEnd(thirdRun, BUILD_TIMEOUT);
    assertThat(thirdEnd.path("result").asText()).as(thirdEnd.toString()).isEqualTo("cancelled");
    assertThat(thirdEnd.path("cancelled_by").asText())
        .isEqualTo("hook:github (branch main deleted)");
  }

  private long pushed(String repository, String repositorySecret, String branch, String sha)
      throws Exception {
    String body = payload("github-push", Map.of("repo", repository, "branch", branch, "sha", sha));
    KilnHttp.Answer answer =
        github("push", UUID.randomUUID().toString(), body, sign(repositorySecret, body));
    assertThat(answer.status()).as(answer.body()).isEqualTo(202);
    return answer.json().path("runs").get(0).path("run_id").asLong();
  }

  private KilnHttp.Answer pullRequest(String action, String sha) throws Exception {
    String body =
        payload(
            "github-pull_request",
            Map.of("repo", repo, "branch", "feature", "sha", sha, "mr", "42", "action", action));
    KilnHttp.Answer answer = github("pull_request", UUID.randomUUID().toString(), body, sign(body));
    assertThat(answer.status()).as(answer.body()).isEqualTo(202);
    assertThat(answer.json().path("runs")).hasSize(1);
    return answer;
  }

  private static KilnHttp.Answer github(
      String event, String delivery, String body, String signature) throws Exception {
    return api.post(
        "/hooks/github",
        body.getBytes(StandardCharsets.UTF_8),
        "Content-Type",
        "application/json",
        "X-GitHub-Event",
        event,
        "X-GitHub-Delivery",
        delivery,
        "X-Hub-Signature-256",
        signature);
  }

  private static void awaitCompiling(long runId) {
    Awaitility.await("run " + runId + " compiling")
        .atMost(BUILD_TIMEOUT)
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(300))
        .until(() -> api.get("/runs/" + runId + "/logs").body().contains("compiling"));
  }

  private static int runsOf(String repository) throws Exception {
    JsonNode list =
        api.get("/runs?repo=" + java.net.URLEncoder.encode(repository, StandardCharsets.UTF_8))
            .json();
    return list.path("runs").size();
  }

  private static String sign(String body) throws GeneralSecurityException {
    return sign(secret, body);
  }

  private static String sign(String key, String body) throws GeneralSecurityException {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
  }

  private static String head(String branch) throws Exception {
    try (Git git = Git.open(Path.of(URI.create(repo)).toFile())) {
      return git.getRepository().resolve("refs/heads/" + branch).name();
    }
  }

  /** A new commit on {@code branch} (made from main's head the first time); its sha. */
  private static String commitOnBranch(String branch, String path, String content)
      throws Exception {
    return commitOn(repo, branch, path, content);
  }

  private static String commitOn(String repository, String branch, String path, String content)
      throws Exception {
    Path dir = Path.of(URI.create(repository));
    try (Git git = Git.open(dir.toFile())) {
      boolean exists = git.getRepository().resolve("refs/heads/" + branch) != null;
      if (!branch.equals("main")) {
        git.checkout().setName(branch).setCreateBranch(!exists).call();
      }
      java.nio.file.Files.writeString(dir.resolve(path), content);
      git.add().addFilepattern(path).call();
      PersonIdent author = new PersonIdent("Kiln Test", "test@kiln.dev");
      String sha =
          git.commit()
              .setMessage("write " + path)
              .setAuthor(author)
              .setCommitter(author)
              .call()
              .name();
      if (!branch.equals("main")) {
        git.checkout().setName("main").call();
      }
      return sha;
    }
  }

  /** A fixture under {@code /hooks}, in the shape of GitHub's documented payloads. */
  private static String payload(String fixture, Map<String, String> values) throws IOException {
    try (InputStream in =
        WebhookEndToEndIT.class.getResourceAsStream("/hooks/" + fixture + ".json")) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      for (Map.Entry<String, String> value : values.entrySet()) {
        text = text.replace("{{" + value.getKey() + "}}", value.getValue());
      }
      return text.replace("{{short}}", values.get("sha").substring(0, 12));
    }
  }
}
