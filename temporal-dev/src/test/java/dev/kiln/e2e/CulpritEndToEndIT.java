package dev.kiln.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The culprit finder on the real dev stack: a repository of 16 commits, each writing its number to
 * {@code value.txt}, whose test {@code AppTest.adds} fails from commit 11 on. A lane that passed at
 * commit 1 and failed at commit 16 bisects the 15 commits between with low-priority builds of its
 * own and names commit 11, with its author and subject, after at most 6 of them (4 midpoints, then
 * commit 11 and commit 10 once more). The repository's webhook hears of the lane's two runs and of
 * the culprit, never of a bisect build.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CulpritEndToEndIT {

  static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);
  static final Duration BISECT_TIMEOUT = Duration.ofMinutes(8);
  static final ObjectMapper JSON = new ObjectMapper();

  static final String KILN_YAML =
      """
      compile:
        - echo compiling
      gates:
        - name: unit
          run: sh check.sh
          reports: ["reports/TEST-*.xml"]
      """;

  /** Writes a JUnit report of two tests; {@code adds} fails once value.txt reaches 11. */
  static final String CHECK_SH =
      """
      mkdir -p reports
      if [ "$(cat value.txt)" -ge 11 ]; then
        adds='<testcase classname="AppTest" name="adds"><failure message="expected 5 but was -1"/></testcase>'
        failures=1
      else
        adds='<testcase classname="AppTest" name="adds"/>'
        failures=0
      fi
      printf '<testsuite name="AppTest" tests="2" failures="%s">%s<testcase classname="AppTest" name="subtracts"/></testsuite>\\n' \\
        "$failures" "$adds" > reports/TEST-app.xml
      exit "$failures"
      """;

  static final String SECRET = "culprit-receivers-secret";

  @TempDir static Path temp;
  static DevStackProcess stack;
  static KilnHttp api;
  static LoopbackReceiver receiver;

  @BeforeAll
  static void startStack() throws Exception {
    receiver = new LoopbackReceiver().answer("/hook", n -> 200);
    stack =
        DevStackProcess.start(
            temp.resolve("kiln-home"), Map.of("KILN_REPOS_ALLOW_HOSTS", "127.0.0.1"));
    api = new KilnHttp(stack.baseUrl());
  }

  @AfterAll
  static void stopStack() throws Exception {
    if (stack != null) {
      stack.stopLeavingNothingBehind();
    }
    if (receiver != null) {
      receiver.close();
    }
  }

  @Test
  void aLaneThatPassedAtCommitOneAndFailedAtSixteenNamesCommitElevenWithinSixBuilds()
      throws Exception {
    String repo =
        new GitFixtures(temp.resolve("repos"))
            .project(
                "culprit",
                Map.of("kiln.yaml", KILN_YAML, "check.sh", CHECK_SH, "value.txt", "1\n"));
    // a webhook told of every run: it hears of the lane's runs and the culprit, never a bisect
    // build
    KilnHttp.Answer registered =
        api.post(
            "/repos",
            "{\"url\": \""
                + repo
                + "\", \"branches\": [\"main\"], \"notify_targets\": [{\"type\": \"webhook\","
                + " \"url\": \""
                + receiver.url("/hook")
                + "\", \"secret\": \""
                + SECRET
                + "\", \"on\": \"all\"}]}");
    assertThat(registered.status()).as(registered.body()).isEqualTo(201);
    JsonNode passed = api.awaitEnd(start(repo), BUILD_TIMEOUT);
    assertThat(passed.path("result").asText()).as(passed.toString()).isEqualTo("passed");

    List<RevCommit> commits = commitTwoToSixteen(repo);
    RevCommit eleven = commits.get(11 - 2);
    long failedId = start(repo);
    JsonNode failed = api.awaitEnd(failedId, BUILD_TIMEOUT);
    assertThat(failed.path("result").asText()).as(failed.toString()).isEqualTo("failed");
    assertThat(failed.path("sha").asText()).isEqualTo(commits.get(14).name());

    JsonNode found = awaitBisection(failedId);
    assertThat(found.path("bisect").path("status").asText())
        .as(found.path("bisect").toString())
        .isEqualTo("found");
    JsonNode culprit = found.path("culprit");
    assertThat(culprit.path("sha").asText()).isEqualTo(eleven.name());
    assertThat(culprit.path("subject").asText()).isEqualTo("change 11");
    assertThat(culprit.path("author").asText()).isEqualTo("Ada Lovelace <ada@kiln.dev>");
    assertThat(found.path("bisect").path("commits").asInt()).isEqualTo(15);
    assertThat(found.path("bisect").path("builds").asInt()).isLessThanOrEqualTo(6);

    List<JsonNode> bisectBuilds = bisectBuildsOf(repo, failedId);
    assertThat(bisectBuilds).hasSizeBetween(1, 6);
    // every extra build is one of them: the repository has the lane's two runs besides
    assertThat(runsOf(repo)).hasSize(2 + bisectBuilds.size());
    for (JsonNode build : bisectBuilds) {
      assertThat(build.path("priority").asText()).isEqualTo("low");
      assertThat(build.path("lane").asText()).endsWith("~bisect");
    }
    JsonNode confirming = api.get("/runs/" + culprit.path("run_id").asLong()).json();
    assertThat(confirming.path("bisect_of").asLong()).isEqualTo(failedId);
    assertThat(confirming.path("sha").asText()).isEqualTo(eleven.name());
    assertThat(confirming.path("result").asText()).isEqualTo("failed");

    // the webhook: each of the lane's two runs ended, then the failed run's culprit; nothing else
    long passedId = passed.path("run_id").asLong();
    List<String> heard = new ArrayList<>();
    Awaitility.await("the culprit notification")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> {
              heard.clear();
              for (LoopbackReceiver.Received delivery : receiver.at("/hook")) {
                JsonNode body = JSON.readTree(delivery.body());
                heard.add(
                    body.path("event").asText() + ":" + body.path("run").path("run_id").asLong());
                if (body.path("event").asText().equals("culprit")) {
                  assertThat(body.path("run").path("culprit").path("sha").asText())
                      .isEqualTo(eleven.name());
                  assertThat(delivery.headers().get("X-Kiln-Event")).isEqualTo("run.culprit");
                }
              }
              return heard.contains("culprit:" + failedId);
            });
    assertThat(heard)
        .containsExactlyInAnyOrder("ended:" + passedId, "ended:" + failedId, "culprit:" + failedId);
  }

  private static long start(String repository) throws Exception {
    KilnHttp.Answer started = api.rebuild(Map.of("repo", repository, "ref", "main"));
    assertThat(started.status()).as(started.body()).isEqualTo(202);
    return started.json().path("run_id").asLong();
  }

  /** Commits 2..16 on main, each writing its number, in one push: the lane's next run sees 16. */
  private static List<RevCommit> commitTwoToSixteen(String repositoryUri) throws Exception {
    Path dir = Path.of(java.net.URI.create(repositoryUri));
    PersonIdent author = new PersonIdent("Ada Lovelace", "ada@kiln.dev");
    List<RevCommit> commits = new ArrayList<>();
    try (Git git = Git.open(dir.toFile())) {
      for (int n = 2; n <= 16; n++) {
        Files.writeString(dir.resolve("value.txt"), n + "\n");
        git.add().addFilepattern("value.txt").call();
        commits.add(
            git.commit()
                .setMessage("change " + n)
                .setAuthor(author)
                .setCommitter(author)
                .setSign(false)
                .call());
      }
    }
    return commits;
  }

  /** The failed run's view once its bisection ended. */
  private static JsonNode awaitBisection(long runId) {
    JsonNode[] view = {null};
    Awaitility.await("run " + runId + " bisected")
        .atMost(BISECT_TIMEOUT)
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              view[0] = api.get("/runs/" + runId).json();
              String status = view[0].path("bisect").path("status").asText("");
              return !status.isEmpty() && !status.equals("running");
            });
    return view[0];
  }

  /** The repository's runs, newest first. */
  private static List<JsonNode> runsOf(String repo) throws Exception {
    List<JsonNode> runs = new ArrayList<>();
    api.get("/runs?limit=100&repo=" + java.net.URLEncoder.encode(repo, "UTF-8"))
        .json()
        .path("runs")
        .forEach(runs::add);
    return runs;
  }

  /** Every run of the repository that bisects {@code runId}, with its view. */
  private static List<JsonNode> bisectBuildsOf(String repo, long runId) throws Exception {
    List<JsonNode> builds = new ArrayList<>();
    for (JsonNode run : runsOf(repo)) {
      JsonNode view = api.get("/runs/" + run.path("run_id").asLong()).json();
      if (view.path("bisect_of").asLong(0) == runId) {
        builds.add(view);
      }
    }
    return builds;
  }
}
