package dev.kiln.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retries on the real dev stack: a test that fails once and passes on retry of the same commit
 * makes the retry flaky and is listed among its repository's flaky tests; a repository that cannot
 * be fetched once is retried automatically, exactly once, and a failing test never is.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RetryEndToEndIT {

  static final Duration BUILD_TIMEOUT = Duration.ofMinutes(3);

  @TempDir static Path temp;
  static DevStackProcess stack;
  static KilnHttp api;
  static GitFixtures fixtures;

  @BeforeAll
  static void startStack() throws Exception {
    // The flaky gate finds out whether it ran before through a file in the test's temporary
    // directory, which a sandboxed build cannot see.
    stack = DevStackProcess.start(temp.resolve("kiln-home"), Map.of("KILN_WORKER_SANDBOX", "none"));
    api = new KilnHttp(stack.baseUrl());
    fixtures = new GitFixtures(temp.resolve("repos"));
  }

  @AfterAll
  static void stopStack() throws Exception {
    if (stack != null) {
      stack.stopLeavingNothingBehind();
    }
  }

  /** A gate whose test {@code divides} fails the first time it runs, and passes from then on. */
  static String flakyGate(Path marker) {
    return """
        compile:
          - run: echo "nothing to compile"
        gates:
          - name: unit
            run: |
              mkdir -p reports
              if [ -f %1$s ]; then divides='<testcase name="divides" classname="calc.CalcTest"/>'
              else divides='<testcase name="divides" classname="calc.CalcTest"><failure message="expected: 2 but was: 3">expected: 2 but was: 3</failure></testcase>'
              fi
              cat > reports/TEST-calc.CalcTest.xml <<XML
              <testsuite name="calc.CalcTest" tests="2">
                <testcase name="adds" classname="calc.CalcTest"/>
                $divides
              </testsuite>
              XML
              if [ ! -f %1$s ]; then touch %1$s; echo "divides failed"; exit 1; fi
            reports:
              junit: "reports/*.xml"
        """
        .formatted(marker);
  }

  @Test
  void aTestThatFailsThenPassesOnRetryIsNotRetriedByItselfAndMakesTheRetryFlaky() throws Exception {
    String repo =
        fixtures.project("flaky", Map.of("kiln.yaml", flakyGate(temp.resolve("ran-once"))));
    KilnHttp.Answer registered = api.post("/repos", "{\"url\": \"" + repo + "\"}");
    assertThat(registered.status()).as(registered.body()).isEqualTo(201);
    long repoId = registered.json().path("id").asLong();

    long first = api.rebuild(Map.of("repo", repo, "ref", "main")).json().path("run_id").asLong();
    JsonNode failed = api.awaitEnd(first, BUILD_TIMEOUT);
    assertThat(failed.path("result").asText()).as(failed.toString()).isEqualTo("failed");
    assertThat(failed.path("failure_kind").asText()).isEqualTo("test");
    // the ledger decides on an automatic retry before it answers the finish report
    assertThat(failed.path("retries")).as("a failing test is never retried by itself").isEmpty();
    JsonNode failedTest = api.get("/runs/" + first + "/tests?status=failed").json().path("tests");
    assertThat(failedTest).hasSize(1);

    KilnHttp.Answer retried = api.post("/runs/" + first + "/retry", "");
    assertThat(retried.status()).as(retried.body()).isEqualTo(202);
    long retry = retried.json().path("run_id").asLong();
    JsonNode passed = api.awaitEnd(retry, BUILD_TIMEOUT);

    assertThat(passed.path("result").asText()).as(passed.toString()).isEqualTo("passed");
    assertThat(passed.path("sha").asText()).isEqualTo(failed.path("sha").asText());
    assertThat(passed.path("flaky").asBoolean()).isTrue();
    assertThat(passed.path("retry_of").asLong()).isEqualTo(first);
    assertThat(passed.path("retried_by").asText()).isEqualTo("loopback");
    JsonNode original = api.get("/runs/" + first).json();
    assertThat(original.path("retries").get(0).path("run_id").asLong()).isEqualTo(retry);
    JsonNode lane = lane(api.get("/state").json(), first);
    assertThat(lane.path("flaky").asBoolean()).isTrue();
    assertThat(lane.path("retry_run_id").asLong()).isEqualTo(retry);

    JsonNode flakyTests = api.get("/repos/" + repoId + "/flaky-tests").json().path("tests");
    assertThat(flakyTests).hasSize(1);
    JsonNode divides = flakyTests.get(0);
    assertThat(divides.path("name").asText()).isEqualTo(failedTest.get(0).path("name").asText());
    assertThat(divides.path("suite").asText()).isEqualTo(failedTest.get(0).path("suite").asText());
    assertThat(divides.path("name").asText()).contains("divides");
    assertThat(divides.path("gate").asText()).isEqualTo("unit");
    assertThat(divides.path("times_flaky").asInt()).isEqualTo(1);
    assertThat(divides.path("last_seen").path("run_id").asLong()).isEqualTo(retry);
    assertThat(divides.path("last_seen").path("failed_run_id").asLong()).isEqualTo(first);
  }

  private static JsonNode lane(JsonNode state, long runId) {
    return StreamSupport.stream(state.spliterator(), false)
        .filter(l -> l.path("run_id").asLong() == runId)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no lane of run " + runId + " in " + state));
  }

  /**
   * The repository's objects are moved away: its refs still list the commit, and every fetch fails
   * on the missing objects until they are back, as with a server that cannot serve them.
   */
  @Test
  void aRepositoryThatCannotBeFetchedOnceIsRetriedAutomaticallyExactlyOnce() throws Exception {
    String repo =
        fixtures.repository("c-make", Map.of("kiln.yaml", "compile:\n  - run: echo compiled\n"));
    Path objects = Path.of(java.net.URI.create(repo)).resolve(".git/objects");
    Path away = objects.resolveSibling("objects-away");
    Files.move(objects, away);
    Files.createDirectories(objects);

    long first = api.rebuild(Map.of("repo", repo, "ref", "main")).json().path("run_id").asLong();
    JsonNode[] failed = {null};
    Awaitility.await("run " + first + " failed")
        .atMost(BUILD_TIMEOUT)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              failed[0] = api.get("/runs/" + first).json();
              return !"building".equals(failed[0].path("result").asText());
            });
    // back at once: the retry, started as the failure was recorded, fetches again within seconds
    Files.delete(objects);
    Files.move(away, objects);

    assertThat(failed[0].path("result").asText()).as(failed[0].toString()).isEqualTo("failed");
    assertThat(failed[0].path("failure_kind").asText())
        .as(failed[0].path("failure_summary").asText())
        .isEqualTo("infrastructure");
    // the retry is recorded just after the end it answers, so a view read in between lacks it
    Awaitility.await("run " + first + " retried")
        .atMost(BUILD_TIMEOUT)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> !(failed[0] = api.get("/runs/" + first).json()).path("retries").isEmpty());
    assertThat(failed[0].path("retries")).hasSize(1);
    JsonNode link = failed[0].path("retries").get(0);
    assertThat(link.path("retried_by").asText()).isEqualTo("automatic");
    long retry = link.path("run_id").asLong();
    JsonNode passed = api.awaitEnd(retry, BUILD_TIMEOUT);
    assertThat(passed.path("result").asText()).as(passed.toString()).isEqualTo("passed");
    assertThat(passed.path("retry_of").asLong()).isEqualTo(first);
    assertThat(passed.path("retried_by").asText()).isEqualTo("automatic");
    assertThat(passed.path("flaky").asBoolean())
        .as("the repository was at fault, not the code")
        .isFalse();
    assertThat(api.get("/runs/" + first).json().path("retries")).hasSize(1);
    assertThat(api.get("/runs?repo=" + repo).json().path("runs"))
        .as("the run and its one retry")
        .hasSize(2);
  }
}
