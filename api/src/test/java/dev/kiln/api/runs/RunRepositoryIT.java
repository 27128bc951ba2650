package dev.kiln.api.runs;

import static dev.kiln.api.support.Runs.newRun;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.api.support.TestPostgres;
import dev.kiln.workflows.Phase;
import dev.kiln.workflows.Result;
import dev.kiln.workflows.RunPriority;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The run ledger's guarantees, checked against real PostgreSQL. */
class RunRepositoryIT {

  private static final String REPO = "https://example.com/app.git";
  private static final int RACERS = 8;

  private static JdbcClient jdbc;
  private static RunRepository runs;
  private static ExecutorService pool;

  @BeforeAll
  static void database() {
    DataSource ds = TestPostgres.migratedDatabase();
    jdbc = JdbcClient.create(ds);
    runs = new RunRepository(jdbc);
    pool = Executors.newFixedThreadPool(RACERS);
  }

  @AfterAll
  static void stopPool() {
    pool.shutdownNow();
  }

  private static long queued() {
    return runs.insert(newRun(REPO, "main", "x86_64")).orElseThrow();
  }

  @Test
  void flywayCreatesTheSchemaFromItsMigrations() {
    assertThat(
            jdbc.sql("SELECT version FROM flyway_schema_history WHERE success")
                .query(String.class)
                .list())
        .contains("1");
    assertThat(
            jdbc.sql(
                    """
                    SELECT table_name FROM information_schema.tables
                     WHERE table_schema = 'public' AND table_name <> 'flyway_schema_history'
                    """)
                .query(String.class)
                .list())
        .containsExactlyInAnyOrder(
            "runs",
            "gate_runs",
            "run_log_chunks",
            "artifacts",
            "build_hosts",
            "run_restarts",
            "api_tokens",
            "run_sandboxes",
            "run_step_usage",
            "run_retention",
            "test_results",
            "repos",
            "webhook_deliveries",
            "run_notifications",
            "branch_heads",
            "repo_secrets",
            "submissions",
            "flaky_tests",
            "run_bisects");
  }

  @Test
  void aForgeRunOfABareShaKeepsTheBranchItWasPushedToWhenTheFetchFindsNone() {
    String sha = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";
    long id =
        runs.insert(
                new NewRun(
                    REPO,
                    sha,
                    "x86_64",
                    REPO + "#main@x86_64",
                    null,
                    RunPriority.NORMAL,
                    true,
                    null,
                    List.of(),
                    null,
                    "main",
                    null))
            .orElseThrow();
    assertThat(runs.find(id).orElseThrow().branch()).isEqualTo("main");

    runs.recordResolved(id, sha, null, "1.0", "host-a", "kiln.yaml");

    assertThat(runs.find(id).orElseThrow().branch()).isEqualTo("main");
    assertThat(runs.find(id).orElseThrow().sha()).isEqualTo(sha);
  }

  @Test
  void aCancelRequestKeepsPhaseAndResultRecordsTheFirstRequesterAndSurvivesOnlyACancelledEnd() {
    long cancelled = queued();
    runs.updatePhase(cancelled, Phase.COMPILING);

    assertThat(runs.requestCancel(cancelled, "first")).isTrue();
    assertThat(runs.requestCancel(cancelled, "second")).isTrue();
    RunRecord stopping = runs.find(cancelled).orElseThrow();
    assertThat(stopping.cancelledBy()).isEqualTo("first");
    assertThat(stopping.phase()).isEqualTo(Phase.COMPILING);
    assertThat(stopping.result()).isEqualTo(Result.BUILDING);
    assertThat(runs.finish(cancelled, Result.CANCELLED, "cancelled")).isTrue();
    assertThat(runs.find(cancelled).orElseThrow().cancelledBy()).isEqualTo("first");
    assertThat(runs.requestCancel(cancelled, "late")).as("terminal: nothing changes").isFalse();
    assertThat(runs.find(cancelled).orElseThrow().cancelledBy()).isEqualTo("first");

    long passedAnyway = queued();
    runs.requestCancel(passedAnyway, "too late");
    runs.finish(passedAnyway, Result.PASSED, null);
    assertThat(runs.find(passedAnyway).orElseThrow().cancelledBy()).isNull();
    assertThat(runs.requestCancel(999_999, "nobody")).isFalse();
  }

  @Test
  void aRunCancelledWithoutAnApiRequestWasCancelledInTemporal() {
    long id = queued();

    runs.finish(id, Result.CANCELLED, "cancelled");

    assertThat(runs.find(id).orElseThrow().cancelledBy())
        .isEqualTo(RunRepository.CANCELLED_IN_TEMPORAL);
  }

  @Test
  void checkConstraintsRefuseUnknownPhasesAndResults() {
    long id = queued();
    assertThatThrownBy(
            () ->
                jdbc.sql("UPDATE runs SET phase = 'baking' WHERE id = :id")
                    .param("id", id)
                    .update())
        .isInstanceOf(DataIntegrityViolationException.class);
    assertThatThrownBy(
            () ->
                jdbc.sql(
                        "UPDATE runs SET result = 'passed', finished_at = now() - interval '1 s'"
                            + " , priority = 'asap' WHERE id = :id")
                    .param("id", id)
                    .update())
        .isInstanceOf(DataIntegrityViolationException.class);
    assertThatThrownBy(
            () ->
                jdbc.sql("UPDATE runs SET result = 'passed' WHERE id = :id")
                    .param("id", id)
                    .update())
        .as("a terminal result without finished_at")
        .isInstanceOf(DataIntegrityViolationException.class);
  }

  @Test
  void storesAQueuedRunAndReadsItBack() {
    NewRun request =
        new NewRun(
            REPO,
            "v1.2",
            "aarch64",
            REPO + "#v1.2@aarch64",
            "!7",
            RunPriority.URGENT,
            false,
            "release",
            List.of("-j4", "with space"),
            null);
    long id = runs.insert(request).orElseThrow();

    RunRecord run = runs.find(id).orElseThrow();
    assertThat(run.phase()).isEqualTo(Phase.QUEUED);
    assertThat(run.result()).isEqualTo(Result.BUILDING);
    assertThat(run.args()).containsExactly("-j4", "with space");
    assertThat(run.priority()).isEqualTo("urgent");
    assertThat(run.supersede()).isFalse();
    assertThat(run.queuedAt()).isNotNull();
    assertThat(run.startedAt()).isNull();
    assertThat(request.sameRequestAs(run)).isTrue();
  }

  @Test
  void theFirstPhaseAfterQueuedStampsStartedAtOnce() {
    long id = queued();
    assertThat(runs.updatePhase(id, Phase.FETCHING)).isTrue();
    var startedAt = runs.find(id).orElseThrow().startedAt();
    assertThat(startedAt).isNotNull();

    assertThat(runs.updatePhase(id, Phase.COMPILING)).isTrue();
    RunRecord run = runs.find(id).orElseThrow();
    assertThat(run.phase()).isEqualTo(Phase.COMPILING);
    assertThat(run.startedAt()).isEqualTo(startedAt);
  }

  @Test
  void fetchingArrivingAfterALaterPhaseChangesNothing() {
    long id = queued();
    assertThat(runs.updatePhase(id, Phase.COMPILING)).isTrue();

    assertThat(runs.updatePhase(id, Phase.FETCHING)).isFalse();

    assertThat(runs.find(id).orElseThrow().phase()).isEqualTo(Phase.COMPILING);
  }

  @Test
  void theFirstTerminalWriteWins() {
    long id = queued();

    assertThat(runs.finish(id, Result.CANCELLED, "cancelled by alice")).isTrue();
    assertThat(runs.finish(id, Result.PASSED, null)).isFalse();
    assertThat(runs.updatePhase(id, Phase.GATING)).as("phase after the end").isFalse();
    assertThat(runs.recordResolved(id, "abc1234", "main", null, "h", "kiln.yaml")).isFalse();
    runs.recordStarted(id, "a-start-recorded-too-late");

    RunRecord run = runs.find(id).orElseThrow();
    assertThat(run.temporalRunId()).isNull();
    assertThat(run.result()).isEqualTo(Result.CANCELLED);
    assertThat(run.phase()).isEqualTo(Phase.DONE);
    assertThat(run.failureSummary()).isEqualTo("cancelled by alice");
    assertThat(run.finishedAt()).isNotNull();
    assertThat(run.sha()).isNull();
  }

  @Test
  void ofConcurrentTerminalWritesExactlyOneApplies() throws Exception {
    long id = queued();
    Result[] results = {Result.PASSED, Result.FAILED, Result.CANCELLED, Result.ABORTED};
    List<Boolean> applied =
        race(i -> () -> runs.finish(id, results[i % results.length], "writer " + i));

    assertThat(applied).containsOnlyOnce(true);
    int winner = applied.indexOf(true);
    RunRecord run = runs.find(id).orElseThrow();
    assertThat(run.result()).isEqualTo(results[winner % results.length]);
    assertThat(run.failureSummary()).isEqualTo("writer " + winner);
  }

  @Test
  void ofConcurrentInsertsWithOneIdempotencyKeyExactlyOneCreatesARun() throws Exception {
    List<Optional<Long>> ids =
        race(i -> () -> runs.insert(newRun(REPO, "main", "x86_64", null, "same-key")));

    assertThat(ids.stream().filter(Optional::isPresent)).hasSize(1);
    long id = ids.stream().flatMap(Optional::stream).findFirst().orElseThrow();
    assertThat(runs.findByIdempotencyKey("same-key")).map(RunRecord::id).contains(id);
  }

  @Test
  void aRunThatCouldNotStartFailsAndReleasesItsIdempotencyKey() {
    long id = runs.insert(newRun(REPO, "main", "x86_64", null, "retry-me")).orElseThrow();

    assertThat(runs.failToStart(id, "could not start: UNAVAILABLE")).isTrue();

    RunRecord run = runs.find(id).orElseThrow();
    assertThat(run.result()).isEqualTo(Result.FAILED);
    assertThat(run.failureSummary()).isEqualTo("could not start: UNAVAILABLE");
    assertThat(run.idempotencyKey()).isNull();
    assertThat(runs.insert(newRun(REPO, "main", "x86_64", null, "retry-me"))).isPresent();
  }

  @Test
  void capsTheFailureSummaryAt600Characters() {
    long id = queued();
    runs.finish(id, Result.FAILED, "é".repeat(700) + "\0");

    String summary = runs.find(id).orElseThrow().failureSummary();
    assertThat(summary.codePointCount(0, summary.length())).isEqualTo(600);
    assertThat(summary).endsWith("…");
  }

  @Test
  void elapsedSecondsStopAtTheFinish() {
    long id = queued();
    jdbc.sql(
            "UPDATE runs SET queued_at = now() - interval '90 seconds',"
                + " result = 'passed', phase = 'done', finished_at = now() - interval '30 seconds'"
                + " WHERE id = :id")
        .param("id", id)
        .update();

    assertThat(runs.find(id).orElseThrow().elapsedSeconds()).isEqualTo(60);
  }

  private static <T> List<T> race(java.util.function.IntFunction<Callable<T>> task)
      throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    List<Future<T>> futures = new ArrayList<>();
    for (int i = 0; i < RACERS; i++) {
      Callable<T> work = task.apply(i);
      futures.add(
          pool.submit(
              () -> {
                go.await();
                return work.call();
              }));
    }
    go.countDown();
    List<T> results = new ArrayList<>();
    for (Future<T> f : futures) {
      results.add(f.get());
    }
    return results;
  }
}
