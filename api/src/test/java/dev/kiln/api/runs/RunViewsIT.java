package dev.kiln.api.runs;

import static dev.kiln.api.support.Runs.newRun;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.notify.NotificationStore;
import dev.kiln.api.repos.NotifyTarget;
import dev.kiln.api.support.TestPostgres;
import dev.kiln.workflows.Result;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

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
}
