package dev.kiln.activities.logs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.workflows.LogChunk;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LogUploaderTest {

  @Test
  void failedSendsAreRetriedInOrderUntilTheApiAnswers() throws Exception {
    List<Long> delivered = new CopyOnWriteArrayList<>();
    AtomicInteger failuresLeft = new AtomicInteger(3);
    try (LogUploader uploader =
        new LogUploader(
            (runId, chunks) -> {
              if (failuresLeft.getAndDecrement() > 0) {
                throw new IllegalStateException("connection refused");
              }
              chunks.forEach(c -> delivered.add(c.seq()));
            },
            1 << 20)) {
      for (long seq = 0; seq < 5; seq++) {
        assertThat(uploader.offer(1, chunk(seq, "line " + seq))).isTrue();
      }

      assertThat(uploader.awaitSent(1, Duration.ofSeconds(10))).isTrue();
    }
    assertThat(delivered).containsExactly(0L, 1L, 2L, 3L, 4L);
  }

  @Test
  void aFullBufferRefusesChunksInsteadOfBlockingTheBuild() {
    try (LogUploader uploader =
        new LogUploader(
            (runId, chunks) -> {
              throw new IllegalStateException("api down");
            },
            10)) {
      assertThat(uploader.offer(1, chunk(0, "12345678"))).isTrue();
      assertThat(uploader.offer(1, chunk(1, "12345678"))).isFalse();
    }
  }

  @Test
  void awaitSentGivesUpAtItsTimeoutWhileTheApiIsAway() throws Exception {
    try (LogUploader uploader =
        new LogUploader(
            (runId, chunks) -> {
              throw new IllegalStateException("api down");
            },
            1 << 20)) {
      uploader.offer(1, chunk(0, "x"));

      assertThat(uploader.awaitSent(1, Duration.ofMillis(300))).isFalse();
    }
  }

  @Test
  void aBatchTheApiRefusesForGoodIsDroppedSoOtherRunsLogsKeepFlowing() throws Exception {
    List<Long> delivered = new CopyOnWriteArrayList<>();
    try (LogUploader uploader =
        new LogUploader(
            (runId, chunks) -> {
              if (runId == 1) {
                throw new ChunksRefusedException("400 bad step", null);
              }
              chunks.forEach(c -> delivered.add(runId));
            },
            1 << 20)) {
      uploader.offer(1, chunk(0, "refused"));
      uploader.offer(2, chunk(0, "fine"));

      assertThat(uploader.awaitSent(2, Duration.ofSeconds(5))).isTrue();
      assertThat(uploader.awaitSent(1, Duration.ofSeconds(5))).isTrue();
    }
    assertThat(delivered).containsExactly(2L);
  }

  static LogChunk chunk(long seq, String text) {
    return new LogChunk(seq, "compile", 0L, Instant.now(), text.getBytes(StandardCharsets.UTF_8));
  }
}
