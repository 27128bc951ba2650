package dev.kiln.api.culprit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.notify.NotificationStore;
import dev.kiln.api.notify.Notifier;
import dev.kiln.api.notify.NotifyProperties;
import dev.kiln.api.repos.RepoStore;
import dev.kiln.api.runs.NewRun;
import dev.kiln.api.runs.RunRecord;
import dev.kiln.api.runs.RunRepository;
import dev.kiln.api.support.TestPostgres;
import dev.kiln.api.support.TestProperties;
import dev.kiln.workflows.RebuildRequest;
import dev.kiln.workflows.Result;
import dev.kiln.workflows.RunPriority;
import dev.kiln.workflows.culprit.BisectReport;
import dev.kiln.workflows.culprit.Culprit;
import dev.kiln.workflows.culprit.CulpritRequest;
import dev.kiln.workflows.culprit.FailureSignature;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The culprit finder's ledger, against PostgreSQL. */
class BisectionsIT {

  static final String SHA_A = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  static final String SHA_B = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
  static final String SHA_M = "cccccccccccccccccccccccccccccccccccccccc";

  private static JdbcClient jdbc;
  private static RunRepository runs;
  private static CulpritStore store;
  private static Bisections bisections;
  private static CulpritStarts starts;

  @BeforeAll
  static void ledger() {
    jdbc = JdbcClient.create(TestPostgres.migratedDatabase());
    runs = new RunRepository(jdbc);
    store = new CulpritStore(jdbc);
    Notifier notifier =
        new Notifier(
            runs,
            new RepoStore(jdbc),
            new NotificationStore(jdbc),
            null, // no repository here is registered: nobody is notified
            new NotifyProperties(
                true,
                Duration.ofSeconds(10),
                2.0,
                Duration.ofHours(1),
                Duration.ofHours(24),
                Duration.ofSeconds(10)),
            store);
    bisections = new Bisections(runs, store, notifier, TestProperties.kiln(Path.of("/tmp")));
    starts = new CulpritStarts(runs, store, null, new CulpritProperties(true, false));
  }

  private static String repo() {
    return "https://example.com/app-" + System.nanoTime() + ".git";
  }

  /** A run of {@code repo}'s main lane that built {@code sha} and ended {@code result}. */
  private static long run(String repo, String sha, Result result, String summary) {
    long id =
        runs.insert(
                new NewRun(
                    repo,
                    "main",
                    "x86_64",
                    repo + "#main@x86_64",
                    null,
                    RunPriority.NORMAL,
                    true,
                    "release",
                    List.of("-v"),
                    null))
            .orElseThrow();
    runs.recordResolved(id, sha, "main", "1.0", "host-a", "kiln.yaml");
    if (result != Result.BUILDING) {
      runs.finish(id, result, summary);
    }
    return id;
  }

  private static void failedTest(long runId, String gate, int ordinal, String suite, String name) {
    jdbc.sql(
            """
            INSERT INTO test_results (run_id, gate, ordinal, suite, name, status)
            VALUES (:runId, :gate, :ordinal, :suite, :name, 'failed')
            """)
        .param("runId", runId)
        .param("gate", gate)
        .param("ordinal", ordinal)
        .param("suite", suite)
        .param("name", name)
        .update();
  }

  @Test
  void aBisectBuildIsALowPriorityRunOfALaneOfItsOwnAndARetriedCallFindsIt() {
    String repo = repo();
    long failing = run(repo, SHA_B, Result.FAILED, "gate unit failed: 1 test failed");

    RebuildRequest build = bisections.recordBuild(failing, SHA_M, "kiln-culprit-x/1/5");
    RebuildRequest again = bisections.recordBuild(failing, SHA_M, "kiln-culprit-x/1/5");

    assertThat(again.runId()).isEqualTo(build.runId());
    assertThat(build)
        .isEqualTo(
            new RebuildRequest(
                build.runId(),
                repo,
                SHA_M,
                "x86_64",
                null,
                "low",
                "release",
                List.of("-v"),
                300,
                null,
                List.of()));
    RunRecord recorded = runs.find(build.runId()).orElseThrow();
    assertThat(recorded.lane()).isEqualTo(repo + "#main@x86_64~bisect");
    assertThat(recorded.priority()).isEqualTo("low");
    assertThat(recorded.supersede()).isFalse();
    assertThat(store.bisectOf(build.runId())).hasValue(failing);
    assertThat(store.bisectOf(failing)).isEmpty();
    assertThat(store.view(build.runId()).line()).isEqualTo("bisect build of run " + failing);
  }

  @Test
  void aGateFailureIsItsGateAndFailedTestsAndOtherFailuresTheirStep() {
    String repo = repo();
    long gate = run(repo, SHA_B, Result.FAILED, "gate unit failed: 2 of 9 tests failed");
    failedTest(gate, "unit", 0, "AppTest", "adds");
    failedTest(gate, "unit", 1, null, "TestSub");
    failedTest(gate, "lint", 0, null, "style");

    assertThat(bisections.failureOf(gate))
        .isEqualTo(new FailureSignature("gate unit", List.of("AppTest.adds", "TestSub")));
    assertThat(bisections.failureOf(run(repo, SHA_B, Result.FAILED, "error: ';' expected")))
        .isEqualTo(new FailureSignature("compile", List.of()));
    assertThat(bisections.failureOf(run(repo, SHA_B, Result.FAILED, "git fetch failed: boom")))
        .isEqualTo(new FailureSignature(FailureSignature.INFRASTRUCTURE, List.of()));
    assertThat(bisections.failureOf(run(repo, SHA_B, Result.PASSED, null)).step()).isNull();
  }

  @Test
  void aFailureAfterAPassAtAnotherCommitIsBisectedFromThatPass() {
    String repo = repo();
    long pass = run(repo, SHA_A, Result.PASSED, null);
    run(repo, SHA_A, Result.CANCELLED, "cancelled");
    long failing = run(repo, SHA_B, Result.FAILED, "gate unit failed: x");
    // a bisect build that passed in between is not the lane's verdict
    bisections.recordBuild(failing, SHA_M, "k-" + failing);

    assertThat(starts.brokeAfterPass(runs.find(failing).orElseThrow()))
        .contains(
            new CulpritRequest(failing, repo, "x86_64", repo + "#main@x86_64", SHA_A, pass, SHA_B));
  }

  @Test
  void aFailureAfterAFailureOrAPassOfTheSameCommitIsNotBisected() {
    String repo = repo();
    run(repo, SHA_A, Result.PASSED, null);
    long sameCommit = run(repo, SHA_A, Result.FAILED, "gate unit failed: x");
    long again = run(repo, SHA_B, Result.FAILED, "gate unit failed: x");

    assertThat(starts.brokeAfterPass(runs.find(sameCommit).orElseThrow())).isEmpty();
    assertThat(starts.brokeAfterPass(runs.find(again).orElseThrow())).isEmpty();
  }

  @Test
  void aFailureOnTheMachineIsNotBisected() {
    String repo = repo();
    run(repo, SHA_A, Result.PASSED, null);
    long lost = run(repo, SHA_B, Result.FAILED, "git fetch failed: connection refused");

    assertThat(starts.brokeAfterPass(runs.find(lost).orElseThrow())).isEmpty();
  }

  @Test
  void theLaneIsFixedByALaterPassOfItsOwnNotByABisectBuild() {
    String repo = repo();
    long failing = run(repo, SHA_B, Result.FAILED, "gate unit failed: x");
    long build = bisections.recordBuild(failing, SHA_M, "k-" + failing).runId();
    runs.finish(build, Result.PASSED, null);

    assertThat(bisections.laneFixedBy(failing)).isZero();

    long fix = run(repo, SHA_M, Result.PASSED, null);

    assertThat(bisections.laneFixedBy(failing)).isEqualTo(fix);
  }

  @Test
  void theLatestReportIsTheRunsBisectionAndAFoundCulpritIsInItsView() {
    String repo = repo();
    long failing = run(repo, SHA_B, Result.FAILED, "gate unit failed: x");
    store.save(failing, new BisectReport(BisectReport.RUNNING, "building c", 15, 1, 6, null));
    assertThat(store.runningInLane(repo + "#main@x86_64")).containsExactly(failing);

    Culprit culprit = new Culprit(SHA_M, "Ada <ada@example.com>", "change 11", failing);
    bisections.report(failing, new BisectReport(BisectReport.FOUND, "found", 15, 6, 6, culprit));

    BisectView view = store.view(failing);
    assertThat(view.culprit()).isEqualTo(culprit);
    assertThat(view.bisect()).isEqualTo(new BisectView.Bisect("found", "found", 15, 6, 6));
    assertThat(view.bisectOf()).isNull();
    assertThat(view.line()).startsWith("culprit: " + SHA_M + " change 11 (Ada <ada@example.com>)");
    assertThat(store.runningInLane(repo + "#main@x86_64")).isEmpty();
  }
}
