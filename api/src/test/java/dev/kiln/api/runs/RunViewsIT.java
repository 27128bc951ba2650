package dev.kiln.api.runs;

import static dev.kiln.api.support.Runs.newRun;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.notify.NotificationStore;
import dev.kiln.api.repos.NotifyTarget;
import dev.kiln.api.support.TestPostgres;
import dev.kiln.workflows.Result;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

/** Which views come from memory: a finished run's, once it is final; never a building one's. */
class RunViewsIT {

  private static JdbcClient jdbc;
  private static RunRepository runs;
  private static RunViews views;

  @BeforeAll
  static void ledger() {
    jdbc = JdbcClient.create(TestPostgres.migratedDatabase());
    runs = new RunRepository(jdbc);
    views = LedgerViews.over(jdbc);
  }

  private static long startedRun() {
    long id = runs.insert(newRun("https://example.com/a.git", "main", "x86_64")).orElseThrow();
    runs.recordStarted(id, "temporal-" + id);
    return id;
  }

  /** A change the ledger never makes, to see whether a view was read again. */
  private static void rewriteHostBehindTheLedger(long id, String host) {
    jdbc.sql("UPDATE runs SET host = :host WHERE id = :id")
        .param("host", host)
        .param("id", id)
        .update();
  }

  @Test
  void aBuildingRunIsReadAfreshEachTime() {
    long id = startedRun();
    assertThat(views.view(id).host()).isNull();

    rewriteHostBehindTheLedger(id, "builder-2");

    assertThat(views.view(id).host()).isEqualTo("builder-2");
  }

  @Test
  void aFinishedRunIsReadOnceAndThenServedFromMemory() {
    long id = startedRun();
    runs.finish(id, Result.PASSED, null);
    RunView first = views.view(id);

    rewriteHostBehindTheLedger(id, "builder-2");

    assertThat(views.view(id)).isEqualTo(first);
    assertThat(views.view(id).host()).isNotEqualTo("builder-2");
    assertThat(first.run().result()).isEqualTo("passed");
  }

  /**
   * Retention removes a run's logs and forgets its view while a request is reading that view from
   * the ledger: what the request read is from before the removal and must not be kept.
   */
  @Test
  void aViewReadWhileRetentionForgotItIsNotKept() {
    long id = startedRun();
    runs.finish(id, Result.PASSED, null);
    RunViews[] overlapped = {null};
    overlapped[0] =
        LedgerViews.over(
            jdbc,
            new RunViewRepository(jdbc, JsonMapper.shared()) {
              @Override
              public Optional<RunDetails> find(long runId) {
                Optional<RunDetails> before = super.find(runId);
                overlapped[0].forget(runId);
                return before;
              }
            });
    overlapped[0].view(id);

    rewriteHostBehindTheLedger(id, "builder-2");

    assertThat(overlapped[0].view(id).host()).isEqualTo("builder-2");
  }

  /** Retries and bisections come after a run's end: a building run's view skips looking. */
  @Test
  void aBuildingBisectBuildSaysWhichRunItBisectsAndAnEndedRunItsRetries() {
    long failing = startedRun();
    runs.finish(failing, Result.FAILED, "boom");
    long probe = startedRun();
    jdbc.sql("UPDATE runs SET bisect_of = :failing WHERE id = :id")
        .param("failing", failing)
        .param("id", probe)
        .update();
    long retry = startedRun();
    jdbc.sql("UPDATE runs SET retry_of = :failing WHERE id = :id")
        .param("failing", failing)
        .param("id", retry)
        .update();

    assertThat(views.view(probe).bisection().bisectOf()).isEqualTo(failing);
    assertThat(views.view(probe).retries()).isEmpty();
    assertThat(views.view(failing).retries())
        .extracting(RunView.Retry::runId)
        .containsExactly(retry);
    assertThat(views.view(failing).bisection().bisectOf()).isNull();
  }

  @Test
  void aFinishedRunsNotificationsAreReadAfreshForTheyGoOnAfterItsEnd() {
    long id = startedRun();
    runs.finish(id, Result.FAILED, "boom");
    assertThat(views.view(id).notifications()).isEmpty();

    new NotificationStore(jdbc)
        .add(
            id,
            new NotifyTarget(
                "webhook", "https://hooks.example.com/k", null, null, "a-secret-of-16-chars", null),
            "ended");

    RunView.Notification notification = views.view(id).notifications().get(0);
    assertThat(notification.state()).isEqualTo("pending");
    assertThat(notification.attempts()).isZero();
    assertThat(notification.target().secret()).isNull();
    assertThat(notification.target().url()).isEqualTo("https://hooks.example.com/k");
  }

  private static void chunk(long id, long seq, String step, String text, String at) {
    jdbc.sql(
            "INSERT INTO run_log_chunks (run_id, seq, step, data, created_at)"
                + " VALUES (:id, :seq, :step, :data, :at::timestamptz)")
        .param("id", id)
        .param("seq", seq)
        .param("step", step)
        .param("data", text.getBytes(java.nio.charset.StandardCharsets.UTF_8))
        .param("at", at)
        .update();
  }

  @Test
  void theTimelineNamesEachStepOfTheLogWithItsTimesCommandsAndStatus() {
    long id = startedRun();
    chunk(id, 1_000_000, "kiln", "fetch on host-a (attempt 1)\n", "2026-12-02T10:00:00Z");
    chunk(id, 1_000_001, "fetch", "resolved main\n", "2026-12-02T10:00:02Z");
    chunk(id, 2_000_000, "kiln", "compile on host-a (make)\n$ make -j2\n", "2026-12-02T10:00:03Z");
    chunk(id, 2_000_001, "compile", "cc -c a.c\n", "2026-12-02T10:00:04Z");
    chunk(id, 2_000_002, "compile", "a.c:1: error: boom\n", "2026-12-02T10:00:13Z");

    assertThat(views.view(id).timeline())
        .extracting(s -> s.step() + " " + s.status() + " " + s.commands())
        .containsExactly("fetch passed []", "compile running [make -j2]");
    RunView.Step fetch = views.view(id).timeline().get(0);
    assertThat(fetch.startedAt()).isEqualTo(java.time.Instant.parse("2026-12-02T10:00:00Z"));
    assertThat(fetch.durationMs()).isEqualTo(2_000);

    runs.finish(id, Result.FAILED, "a.c:1: error: boom");
    RunView.Step compile = views.view(id).timeline().get(1);
    assertThat(compile.status()).isEqualTo("failed");
    assertThat(compile.durationMs()).isEqualTo(10_000);
  }
}
