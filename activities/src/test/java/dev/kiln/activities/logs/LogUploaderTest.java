package dev.kiln.activities.logs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.activities.RunAttempt;
import dev.kiln.workflows.LogChunk;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class LogUploaderTest {

  final RunAttempt run1 = new RunAttempt(1, 1);
  final RunAttempt run2 = new RunAttempt(2, 1);

  @Test
  void failedSendsAreRetriedInOrderUntilTheApiAnswers() throws Exception {
    List<Long> delivered = new CopyOnWriteArrayList<>();
    AtomicInteger failuresLeft = new AtomicInteger(3);
    try (LogUploader uploader =
        new LogUploader(
            (attempt, chunks) -> {
              if (failuresLeft.getAndDecrement() > 0) {
                throw new IllegalStateException("connection refused");
              }
              chunks.forEach(c -> delivered.add(c.seq()));
              return true;
            },
            1 << 20)) {
      for (long seq = 0; seq < 5; seq++) {
        assertThat(uploader.offer(run1, chunk(seq, "line " + seq))).isTrue();
      }

      assertThat(uploader.awaitSent(1, Duration.ofSeconds(10))).isTrue();
    }
    assertThat(delivered).containsExactly(0L, 1L, 2L, 3L, 4L);
  }

  @Test
  void aFullBufferRefusesChunksInsteadOfBlockingTheBuild() {
    try (LogUploader uploader =
        new LogUploader(
            (attempt, chunks) -> {
              throw new IllegalStateException("api down");
            },
            10)) {
      assertThat(uploader.offer(run1, chunk(0, "12345678"))).isTrue();
      assertThat(uploader.offer(run1, chunk(1, "12345678"))).isFalse();
    }
  }

  @Test
  void awaitSentGivesUpAtItsTimeoutWhileTheApiIsAway() throws Exception {
    try (LogUploader uploader =
        new LogUploader(
            (attempt, chunks) -> {
              throw new IllegalStateException("api down");
            },
            1 << 20)) {
      uploader.offer(run1, chunk(0, "x"));

      assertThat(uploader.awaitSent(1, Duration.ofMillis(300))).isFalse();
    }
  }

  @Test
  void aBatchTheApiRefusesForGoodIsDroppedSoOtherRunsLogsKeepFlowing() throws Exception {
    List<Long> delivered = new CopyOnWriteArrayList<>();
    try (LogUploader uploader =
        new LogUploader(
            (attempt, chunks) -> {
              if (attempt.runId() == 1) {
                throw new ChunksRefusedException("400 bad step", null);
              }
              chunks.forEach(c -> delivered.add(attempt.runId()));
              return true;
            },
            1 << 20)) {
      uploader.offer(run1, chunk(0, "refused"));
      uploader.offer(run2, chunk(0, "fine"));

      assertThat(uploader.awaitSent(2, Duration.ofSeconds(5))).isTrue();
      assertThat(uploader.awaitSent(1, Duration.ofSeconds(5))).isTrue();
    }
    assertThat(delivered).containsExactly(2L);
  }

  @Test
  void anAttemptTheApiRefusesAsStaleSendsNothingMoreWhileTheNewAttemptsChunksGoOn()
      throws Exception {
    RunAttempt stale = new RunAttempt(7, 1);
    RunAttempt current = new RunAttempt(7, 2);
    List<String> sent = new CopyOnWriteArrayList<>();
    CountDownLatch refused = new CountDownLatch(1);
    try (LogUploader uploader =
        new LogUploader(
            (attempt, chunks) -> {
              chunks.forEach(c -> sent.add(attempt.number() + ":" + c.seq()));
              if (attempt == stale) {
                attempt.supersede("409 stale attempt 1 of run 7: attempt 2 is current");
                refused.countDown();
                throw new ChunksRefusedException("409", null);
              }
              return true;
            },
            1 << 20)) {
      uploader.offer(stale, chunk(0, "before the api said so"));
      assertThat(refused.await(5, TimeUnit.SECONDS)).isTrue();
      uploader.offer(stale, chunk(1, "after"));
      uploader.offer(current, chunk(100, "the new attempt"));

      assertThat(uploader.awaitSent(7, Duration.ofSeconds(5))).isTrue();
    }
    assertThat(sent).containsExactly("1:0", "2:100");
  }

  @Test
  void chunksQueuedWhileTheApiIsAwayAreDroppedOnceTheirAttemptIsSuperseded() throws Exception {
    RunAttempt attempt = new RunAttempt(3, 1);
    AtomicInteger sends = new AtomicInteger();
    try (LogUploader uploader =
        new LogUploader(
            (a, chunks) -> {
              sends.incrementAndGet();
              throw new IllegalStateException("api unreachable");
            },
            1 << 20)) {
      uploader.offer(attempt, chunk(0, "x"));
      uploader.offer(attempt, chunk(1, "y"));
      assertThat(uploader.awaitSent(3, Duration.ofMillis(300))).isFalse();

      // a heartbeat said Temporal timed the activity out
      attempt.supersede("its heartbeat timed out");

      assertThat(uploader.awaitSent(3, Duration.ofSeconds(1))).isTrue();
      int tried = sends.get();
      Awaitility.await()
          .during(Duration.ofMillis(500))
          .atMost(Duration.ofSeconds(2))
          .until(() -> sends.get() <= tried + 1);
    }
  }

  /** Each request the transport got: its chunks' seqs, answering that nobody follows. */
  private static ChunkTransport unfollowed(List<List<Long>> requests) {
    return (attempt, chunks) -> {
      requests.add(chunks.stream().map(LogChunk::seq).toList());
      return false;
    };
  }

  /**
   * Offers the attempt's first chunk (seq 0) and waits until it went in a request of its own: the
   * answer tells the uploader that nobody follows the run.
   */
  private static void sendAlone(
      LogUploader uploader, RunAttempt attempt, List<List<Long>> requests) {
    uploader.offer(attempt, chunk(0, "first"));
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> requests.size() == 1);
  }

  @Test
  void chunksOfARunNobodyFollowsWaitToGoTogether() throws Exception {
    List<List<Long>> requests = new CopyOnWriteArrayList<>();
    try (LogUploader uploader =
        new LogUploader(unfollowed(requests), 1 << 20, Duration.ofSeconds(2))) {
      sendAlone(uploader, run1, requests);
      long held = System.nanoTime();
      for (long seq = 1; seq <= 5; seq++) {
        uploader.offer(run1, chunk(seq, "line " + seq));
      }

      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> requests.size() == 2);
      assertThat(Duration.ofNanos(System.nanoTime() - held))
          .isGreaterThanOrEqualTo(Duration.ofSeconds(2));
    }
    assertThat(requests).containsExactly(List.of(0L), List.of(1L, 2L, 3L, 4L, 5L));
  }

  @Test
  void aFollowedRunsChunksGoAtOnce() throws Exception {
    List<Long> delivered = new CopyOnWriteArrayList<>();
    try (LogUploader uploader =
        new LogUploader(
            (attempt, chunks) -> {
              chunks.forEach(c -> delivered.add(c.seq()));
              return true;
            },
            1 << 20,
            Duration.ofHours(1))) {
      for (long seq = 0; seq < 3; seq++) {
        uploader.offer(run1, chunk(seq, "line " + seq));
        long sent = seq;
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> delivered.contains(sent));
      }
    }
  }

  @Test
  void awaitSentSendsAnUnfollowedRunsChunksAtOnce() throws Exception {
    List<List<Long>> requests = new CopyOnWriteArrayList<>();
    try (LogUploader uploader =
        new LogUploader(unfollowed(requests), 1 << 20, Duration.ofHours(1))) {
      sendAlone(uploader, run1, requests);
      uploader.offer(run1, chunk(1, "the step's last line"));

      assertThat(uploader.awaitSent(1, Duration.ofSeconds(5))).isTrue();
    }
    assertThat(requests).containsExactly(List.of(0L), List.of(1L));
  }

  @Test
  void aMebibyteOfAnUnfollowedRunGoesWithoutWaiting() throws Exception {
    List<List<Long>> requests = new CopyOnWriteArrayList<>();
    String quarter = "x".repeat(256 * 1024);
    try (LogUploader uploader =
        new LogUploader(unfollowed(requests), 1 << 24, Duration.ofHours(1))) {
      sendAlone(uploader, run1, requests);
      for (long seq = 1; seq <= 4; seq++) {
        uploader.offer(run1, chunk(seq, quarter));
      }

      Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> requests.size() == 2);
    }
    assertThat(requests.get(1)).containsExactly(1L, 2L, 3L, 4L);
  }

  @Test
  void anotherRunsChunksDoNotWaitBehindAnUnfollowedRunsHeldOnes() throws Exception {
    List<String> sent = new CopyOnWriteArrayList<>();
    try (LogUploader uploader =
        new LogUploader(
            (attempt, chunks) -> {
              chunks.forEach(c -> sent.add(attempt.runId() + ":" + c.seq()));
              return attempt.runId() == 2;
            },
            1 << 20,
            Duration.ofHours(1))) {
      uploader.offer(run1, chunk(0, "first"));
      Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 1);
      uploader.offer(run1, chunk(1, "held"));
      uploader.offer(run2, chunk(0, "followed"));

      Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> sent.contains("2:0"));
      assertThat(sent).doesNotContain("1:1");
    }
  }

  @Test
  void aLaterActivitysChunksNeverOvertakeAnEarlierOnesHeldOnes() throws Exception {
    RunAttempt fetch = new RunAttempt(1, 1);
    RunAttempt compile = new RunAttempt(1, 1); // each activity has its own
    List<List<Long>> requests = new CopyOnWriteArrayList<>();
    String quarter = "x".repeat(256 * 1024);
    try (LogUploader uploader =
        new LogUploader(unfollowed(requests), 1 << 24, Duration.ofHours(1))) {
      sendAlone(uploader, fetch, requests);
      uploader.offer(fetch, chunk(1, "the fetch's last line, held"));
      for (long seq = 2; seq <= 5; seq++) {
        uploader.offer(compile, chunk(seq, quarter));
      }

      Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> requests.size() == 3);
    }
    assertThat(requests).containsExactly(List.of(0L), List.of(1L), List.of(2L, 3L, 4L, 5L));
  }

  @Test
  void awaitSentDoesNotWaitForAnotherRunsSendInFlight() throws Exception {
    CountDownLatch inFlight = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try (LogUploader uploader =
        new LogUploader(
            (attempt, chunks) -> {
              inFlight.countDown();
              try {
                release.await(10, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return true;
            },
            1 << 20)) {
      uploader.offer(run2, chunk(0, "a slow api"));
      assertThat(inFlight.await(5, TimeUnit.SECONDS)).isTrue();

      assertThat(uploader.awaitSent(1, Duration.ofSeconds(5))).isTrue();
      release.countDown();
    }
  }

  static LogChunk chunk(long seq, String text) {
    return new LogChunk(seq, "compile", 0L, Instant.now(), text.getBytes(StandardCharsets.UTF_8));
  }
}
