package dev.kiln.api.notify;

import static dev.kiln.api.support.Runs.newRun;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.repos.NotifyTarget;
import dev.kiln.api.runs.RunRepository;
import dev.kiln.api.support.TestPostgres;
import dev.kiln.workflows.Result;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/** What a notification records, against PostgreSQL. */
class NotificationStoreIT {

  static final NotifyTarget GITHUB =
      new NotifyTarget(
          NotifyTarget.GITHUB, "https://api.github.com", "octo-org/app", null, null, "ghp_secret");

  private static RunRepository runs;
  private static NotificationStore store;

  @BeforeAll
  static void ledger() {
    JdbcClient jdbc = JdbcClient.create(TestPostgres.migratedDatabase());
    runs = new RunRepository(jdbc);
    store = new NotificationStore(jdbc);
  }

  private static long run(String repo) {
    return runs.insert(newRun(repo, "main", "x86_64")).orElseThrow();
  }

  @Test
  void aNotificationIsRecordedOnceWithoutItsTokenAndEachPostedStatusOnce() {
    long id = run("https://example.com/once-" + System.nanoTime() + ".git");
    store.add(id, GITHUB, "started");
    store.attempting(id, GITHUB.key(), "started");
    store.posted(id, GITHUB.key(), "started", "kiln/build (x86_64)=pending");
    store.add(id, GITHUB, "started"); // a repeated ledger report
    store.attempting(id, GITHUB.key(), "started");
    store.posted(id, GITHUB.key(), "started", "kiln/build (x86_64)=pending");
    store.posted(id, GITHUB.key(), "started", "kiln/gate unit (x86_64)=pending");

    assertThat(store.ofRun(id)).hasSize(1);
    NotificationStore.Notification notification = store.ofRun(id).get(0);
    assertThat(notification.attempts()).isEqualTo(2);
    assertThat(notification.posted())
        .containsExactly("kiln/build (x86_64)=pending", "kiln/gate unit (x86_64)=pending");
    assertThat(notification.target().token()).isNull();
    assertThat(notification.target().repository()).isEqualTo("octo-org/app");
    assertThat(notification.lastAttemptAt()).isNotNull();
  }

  @Test
  void aDeliveredNotificationIsNotMadeFailedByALateGiveUp() {
    long id = run("https://example.com/late-" + System.nanoTime() + ".git");
    store.add(id, GITHUB, "ended");
    store.attemptFailed(id, GITHUB.key(), "ended", "HTTP 502");
    store.delivered(id, GITHUB.key(), "ended");
    store.failed(id, GITHUB.key(), "ended", "gave up");

    NotificationStore.Notification notification = store.ofRun(id).get(0);
    assertThat(notification.state()).isEqualTo(NotificationStore.DELIVERED);
    assertThat(notification.lastError()).isNull();
  }

  @Test
  void theLanesPreviousVerdictIsItsLatestEarlierPassOrFailure() {
    String repo = "https://example.com/lane-" + System.nanoTime() + ".git";
    long failed = run(repo);
    runs.finish(failed, Result.FAILED, "boom");
    long passed = run(repo);
    runs.finish(passed, Result.PASSED, null);
    long cancelled = run(repo);
    runs.finish(cancelled, Result.CANCELLED, "cancelled");
    long current = run(repo);
    long later = run(repo);
    runs.finish(later, Result.FAILED, "later");
    String lane = runs.find(current).orElseThrow().lane();

    assertThat(store.previousVerdict(lane, current)).contains(Result.PASSED);
    assertThat(store.previousVerdict(lane, passed)).contains(Result.FAILED);
    assertThat(store.previousVerdict(lane, failed)).isEmpty();
  }
}
