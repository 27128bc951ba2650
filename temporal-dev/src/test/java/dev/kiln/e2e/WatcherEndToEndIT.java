package dev.kiln.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.workflows.watch.WatchSchedule;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleClientOptions;
import io.temporal.client.schedules.ScheduleIntervalSpec;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.ResetCommand;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The durable watcher on the real dev stack: a registered repository with a poll interval has a
 * Temporal Schedule; its polls build the newest of the commits pushed between two polls, once; a
 * restart of the whole stack between two polls loses no push and builds none twice; {@code POST
 * /repos/{id}/poll} starts what moved and nothing more, and nothing a forge push built already.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WatcherEndToEndIT {

  static final Duration INTERVAL = Duration.ofSeconds(10);

  /** A poll comes within the interval; the run it starts shows up a moment later. */
  static final Duration WITHIN_A_POLL = INTERVAL.plusSeconds(15);

  static final String QUICK_BUILD = "compile:\n  - run: echo compiled\n";

  @TempDir static Path temp;
  static Path home;
  static DevStackProcess stack;
  static KilnHttp api;

  @BeforeAll
  static void startStack() throws Exception {
    home = temp.resolve("kiln-home");
    stack = DevStackProcess.start(home);
    api = new KilnHttp(stack.baseUrl());
  }

  @AfterAll
  static void stopStack() throws Exception {
    if (stack != null) {
      stack.stopLeavingNothingBehind();
    }
  }

  @Test
  void pollsBuildTheNewestPushOnceAndARestartBetweenTwoPollsLosesAndDoublesNothing()
      throws Exception {
    String dir = new GitFixtures(temp.resolve("repos")).project("watched", files());
    JsonNode registered = register(dir, "\"poll_interval\": \"10s\"");
    long repoId = registered.path("id").asLong();
    String url = registered.path("url").asText();
    assertThat(registered.path("watch_schedule").asText()).isEqualTo("kiln-watch-" + repoId);
    assertScheduleEvery(repoId, INTERVAL);

    // the first poll builds main's head, which Kiln never built
    String first = head(dir);
    awaitRunsOf(url, List.of(first));

    // two commits pushed at once: one run, of the newest
    List<String> pushed = push(dir, 2);
    awaitRunsOf(url, List.of(first, pushed.get(1)));
    stillOnlyRunsOf(url, List.of(first, pushed.get(1)));

    // the whole stack stops; a push meanwhile; the same KILN_HOME starts again
    stack.close();
    String whileDown = push(dir, 1).get(0);
    stack = DevStackProcess.start(home);
    api = new KilnHttp(stack.baseUrl());
    awaitRunsOf(url, List.of(first, pushed.get(1), whileDown));
    stillOnlyRunsOf(url, List.of(first, pushed.get(1), whileDown));
    JsonNode newest = api.awaitEnd(runIdOf(url, whileDown), Duration.ofMinutes(3));
    assertThat(newest.path("result").asText()).as(newest.toString()).isEqualTo("passed");
    assertThat(newest.path("branch").asText()).isEqualTo("main");
    assertThat(newest.path("triggered_by").asText()).isEqualTo("watcher");

    // no poll interval: the schedule goes
    KilnHttp.Answer patched = api.patch("/repos/" + repoId, "{\"poll_interval\": \"none\"}");
    assertThat(patched.status()).as(patched.body()).isEqualTo(200);
    await("schedule deleted").atMost(Duration.ofSeconds(30)).until(() -> !scheduleExists(repoId));
  }

  @Test
  void pollNowStartsWhatMovedOnceAndNothingAForgePushBuiltAlready() throws Exception {
    String dir = new GitFixtures(temp.resolve("repos")).project("polled", files());
    JsonNode registered = register(dir, "\"branches\": [\"main\"]");
    long repoId = registered.path("id").asLong();
    String url = registered.path("url").asText();
    String secret = registered.path("webhook_secret").asText();

    String first = head(dir);
    assertThat(startedShas(poll(repoId))).containsExactly(first);
    String pushed = push(dir, 1).get(0);
    JsonNode afterPush = poll(repoId);
    assertThat(startedShas(afterPush)).containsExactly(pushed);
    assertThat(afterPush.path("started").get(0).path("branch").asText()).isEqualTo("main");
    assertThat(startedShas(poll(repoId))).as("nothing moved since").isEmpty();
    assertThat(runsOf(url)).hasSize(2);

    // a forge's push first: the poll after it starts nothing
    String hooked = push(dir, 1).get(0);
    String body = githubPush(url, hooked);
    KilnHttp.Answer delivered =
        api.post(
            "/hooks/github",
            body.getBytes(StandardCharsets.UTF_8),
            "Content-Type",
            "application/json",
            "X-GitHub-Event",
            "push",
            "X-GitHub-Delivery",
            UUID.randomUUID().toString(),
            "X-Hub-Signature-256",
            "sha256=" + hmac(secret, body));
    assertThat(delivered.status()).as(delivered.body()).isEqualTo(202);
    assertThat(delivered.json().path("runs")).hasSize(1);
    assertThat(startedShas(poll(repoId))).isEmpty();
    assertThat(runsOf(url)).hasSize(3);

    KilnHttp.Answer unknown = api.post("/repos/999999/poll", "");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.contentType()).startsWith("application/problem+json");
    assertThat(unknown.json().path("detail").asText())
        .isEqualTo("repository 999999 is not registered");
  }

  private static Map<String, String> files() {
    return Map.of("kiln.yaml", QUICK_BUILD, "README.md", "watched\n");
  }

  private static JsonNode register(String dir, String extra) throws Exception {
    KilnHttp.Answer answer = api.post("/repos", "{\"url\": \"" + dir + "\", " + extra + "}");
    assertThat(answer.status()).as(answer.body()).isEqualTo(201);
    return answer.json();
  }

  private static JsonNode poll(long repoId) throws Exception {
    KilnHttp.Answer answer = api.post("/repos/" + repoId + "/poll", "");
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    return answer.json();
  }

  private static List<String> startedShas(JsonNode polled) {
    List<String> shas = new ArrayList<>();
    polled.path("started").forEach(branch -> shas.add(branch.path("sha").asText()));
    return shas;
  }

  /** Waits until the repository's runs are of exactly these commits, one each. */
  private static void awaitRunsOf(String url, List<String> shas) throws Exception {
    await("runs of " + shas)
        .atMost(WITHIN_A_POLL)
        .pollInterval(Duration.ofMillis(300))
        .until(() -> refsOf(url).size() >= shas.size());
    assertThat(refsOf(url)).containsExactlyInAnyOrderElementsOf(shas);
  }

  /** Another poll or two later, still exactly these runs: nothing was built twice. */
  private static void stillOnlyRunsOf(String url, List<String> shas) throws Exception {
    await("no more runs than " + shas)
        .during(INTERVAL.plusSeconds(2))
        .atMost(INTERVAL.plusSeconds(10))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> refsOf(url).size() == shas.size());
    assertThat(refsOf(url)).containsExactlyInAnyOrderElementsOf(shas);
  }

  private static List<String> refsOf(String url) throws Exception {
    List<String> refs = new ArrayList<>();
    runsOf(url).forEach(run -> refs.add(run.path("ref").asText()));
    return refs;
  }

  private static long runIdOf(String url, String sha) throws Exception {
    for (JsonNode run : runsOf(url)) {
      if (run.path("ref").asText().equals(sha)) {
        return run.path("run_id").asLong();
      }
    }
    throw new AssertionError("no run of " + sha);
  }

  private static JsonNode runsOf(String url) throws Exception {
    return api.get("/runs?repo=" + URLEncoder.encode(url, StandardCharsets.UTF_8))
        .json()
        .path("runs");
  }

  private static String head(String dir) throws Exception {
    try (Git git = Git.open(Path.of(URI.create(dir)).toFile())) {
      return git.getRepository().resolve("refs/heads/main").name();
    }
  }

  /**
   * {@code count} new commits on main, which moves once, from its head to the last of them, as a
   * {@code git push} of several commits does.
   *
   * @return the commits, oldest first
   */
  private static List<String> push(String dir, int count) throws Exception {
    Path path = Path.of(URI.create(dir));
    try (Git git = Git.open(path.toFile())) {
      ObjectId before = git.getRepository().resolve("refs/heads/main");
      String wip = "wip-" + System.nanoTime();
      git.checkout().setCreateBranch(true).setName(wip).call();
      PersonIdent author = new PersonIdent("Kiln Test", "test@kiln.dev");
      List<String> commits = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        Files.writeString(path.resolve("README.md"), "change " + UUID.randomUUID() + "\n");
        git.add().addFilepattern("README.md").call();
        RevCommit commit =
            git.commit().setMessage("change " + i).setAuthor(author).setCommitter(author).call();
        commits.add(commit.name());
      }
      git.checkout().setName("main").call();
      RefUpdate update = git.getRepository().updateRef("refs/heads/main");
      update.setExpectedOldObjectId(before);
      update.setNewObjectId(ObjectId.fromString(commits.get(commits.size() - 1)));
      assertThat(update.update()).isEqualTo(RefUpdate.Result.FAST_FORWARD);
      git.reset().setMode(ResetCommand.ResetType.HARD).call();
      git.branchDelete().setBranchNames(wip).setForce(true).call();
      return commits;
    }
  }

  private void assertScheduleEvery(long repoId, Duration interval) throws Exception {
    await("schedule kiln-watch-" + repoId)
        .atMost(Duration.ofSeconds(30))
        .until(() -> scheduleExists(repoId));
    withSchedules(
        schedules ->
            assertThat(
                    schedules
                        .getHandle(WatchSchedule.id(repoId))
                        .describe()
                        .getSchedule()
                        .getSpec()
                        .getIntervals())
                .extracting(ScheduleIntervalSpec::getEvery)
                .containsExactly(interval));
  }

  private static boolean scheduleExists(long repoId) {
    boolean[] exists = {false};
    withSchedules(
        schedules ->
            exists[0] =
                schedules
                    .listSchedules()
                    .anyMatch(s -> s.getScheduleId().equals(WatchSchedule.id(repoId))));
    return exists[0];
  }

  private static void withSchedules(java.util.function.Consumer<ScheduleClient> action) {
    WorkflowServiceStubs service =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(stack.temporalAddress()).build());
    try {
      action.accept(
          ScheduleClient.newInstance(
              service, ScheduleClientOptions.newBuilder().setNamespace("default").build()));
    } finally {
      service.shutdownNow();
    }
  }

  private static String githubPush(String url, String sha) throws Exception {
    try (InputStream in = WatcherEndToEndIT.class.getResourceAsStream("/hooks/github-push.json")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .replace("{{repo}}", url)
          .replace("{{branch}}", "main")
          .replace("{{sha}}", sha)
          .replace("{{short}}", sha.substring(0, 12));
    }
  }

  private static String hmac(String key, String body) throws Exception {
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(
        new javax.crypto.spec.SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return java.util.HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
  }
}
