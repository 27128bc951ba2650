package dev.kiln.activities.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.activities.RunAttempt;
import dev.kiln.workflows.LogChunk;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StepLogTest {

  static final RunAttempt RUN = new RunAttempt(3, 1);

  final List<LogChunk> sent = new CopyOnWriteArrayList<>();
  final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  LogUploader uploader =
      new LogUploader(
          (attempt, chunks) -> {
            sent.addAll(chunks);
            return true;
          },
          1 << 20);

  @AfterEach
  void stop() {
    timer.shutdownNow();
    uploader.close();
  }

  @Test
  void fullChunksAreCutAtTheChunkSizeWithGrowingSeqAndOffset() {
    StepLog log =
        new StepLog(RUN, 500, uploader, timer, Duration.ofHours(1), 10, Clock.systemUTC());
    byte[] data = "0123456789abcdefghijXYZ".getBytes(StandardCharsets.UTF_8);

    log.write("compile", data, 0, data.length);
    log.close();

    await().until(() -> sent.size() == 3);
    assertThat(sent).extracting(LogChunk::seq).containsExactly(500L, 501L, 502L);
    assertThat(sent).extracting(LogChunk::offset).containsExactly(0L, 10L, 20L);
    assertThat(concat(sent)).isEqualTo("0123456789abcdefghijXYZ");
  }

  @Test
  void aPartialChunkIsFlushedOnTheTimerWithoutWaitingForMoreOutput() {
    StepLog log =
        new StepLog(RUN, 0, uploader, timer, Duration.ofMillis(50), 64 * 1024, Clock.systemUTC());

    log.kiln("$ make -j2");

    await().atMost(Duration.ofSeconds(2)).until(() -> sent.size() == 1);
    assertThat(sent.get(0).step()).isEqualTo("kiln");
    assertThat(concat(sent)).isEqualTo("$ make -j2\n");
    log.close();
  }

  @Test
  void eachStepKeepsItsOwnOffsetsAndAChangeOfStepStartsANewChunk() {
    StepLog log =
        new StepLog(RUN, 0, uploader, timer, Duration.ofHours(1), 1024, Clock.systemUTC());

    log.kiln("$ make");
    write(log, "compile", "\u001b[31mred\u001b[0m\n");
    log.kiln("done");
    log.close();

    await().until(() -> sent.size() == 3);
    assertThat(sent).extracting(LogChunk::step).containsExactly("kiln", "compile", "kiln");
    assertThat(sent).extracting(LogChunk::offset).containsExactly(0L, 0L, 7L);
    assertThat(new String(sent.get(1).data(), StandardCharsets.UTF_8))
        .isEqualTo("\u001b[31mred\u001b[0m\n");
  }

  @Test
  void bytesRefusedByAFullBufferAreCountedAndReportedInTheLog() {
    uploader.close();
    List<LogChunk> delivered = new CopyOnWriteArrayList<>();
    java.util.concurrent.atomic.AtomicBoolean apiUp =
        new java.util.concurrent.atomic.AtomicBoolean();
    uploader =
        new LogUploader(
            (attempt, chunks) -> {
              if (!apiUp.get()) {
                throw new IllegalStateException("api down");
              }
              delivered.addAll(chunks);
              return true;
            },
            100);
    StepLog log = new StepLog(RUN, 0, uploader, timer, Duration.ofHours(1), 10, Clock.systemUTC());

    write(log, "compile", "0123456789".repeat(15));
    long dropped = log.droppedBytes();
    apiUp.set(true);
    await().until(() -> delivered.size() == 10);
    log.close();

    assertThat(dropped).isEqualTo(50);
    await().until(() -> concat(delivered).contains("log: 50 bytes dropped"));
  }

  @Test
  void aSupersededAttemptsLogWritesNothingMoreNotEvenWhatWasPending() {
    RunAttempt attempt = new RunAttempt(4, 1);
    StepLog log =
        new StepLog(attempt, 0, uploader, timer, Duration.ofHours(1), 1024, Clock.systemUTC());
    log.kiln("line 1");
    log.flush();
    await().until(() -> sent.size() == 1);

    log.kiln("line 2, pending when the api refused the attempt");
    attempt.supersede("409 stale attempt");
    log.kiln("cancelled: process group killed");
    write(log, "compile", "line 3\n");
    log.close();

    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(2))
        .until(() -> sent.size() == 1);
    assertThat(concat(sent)).isEqualTo("line 1\n");
  }

  private static void write(StepLog log, String step, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    log.write(step, bytes, 0, bytes.length);
  }

  private static String concat(List<LogChunk> chunks) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    chunks.forEach(c -> out.writeBytes(c.data()));
    return out.toString(StandardCharsets.UTF_8);
  }
}
