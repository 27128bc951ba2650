package dev.kiln.activities.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cap and the give-up logic, on in-memory streams. */
class OutputPumpTest {

  private final RecordingSink sink = new RecordingSink();

  @Test
  void outputBelowTheCapIsForwardedWhole() {
    byte[] data = bytes(1000);

    pump(new ByteArrayInputStream(data), 1000);

    assertThat(sink.bytes()).isEqualTo(data);
    assertThat(sink.truncations()).isEmpty();
    assertThat(sink.finishes())
        .singleElement()
        .satisfies(f -> assertThat(f).containsExactly(1000, 0));
  }

  @Test
  void outputIsCutAtExactlyTheCapAndTheSinkIsToldOnce() {
    byte[] data = bytes(300_000);

    OutputPump pump = pump(new ByteArrayInputStream(data), 100_001);

    assertThat(sink.bytes()).isEqualTo(Arrays.copyOf(data, 100_001));
    assertThat(sink.truncations()).containsExactly(100_001L);
    assertThat(pump.totalBytes()).isEqualTo(300_000);
    assertThat(sink.finishes())
        .singleElement()
        .satisfies(f -> assertThat(f).containsExactly(300_000, 199_999));
  }

  @Test
  void theReaderKeepsDrainingWhileTheSinkIsBusyAndNothingIsLostOrReordered() throws Exception {
    CountDownLatch sinkBusy = new CountDownLatch(1);
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    OutputSink slow =
        (buf, off, len) -> {
          awaitQuietly(sinkBusy);
          received.write(buf, off, len);
        };
    byte[] data = bytes(4 * 1024 * 1024);
    OutputPump pump = new OutputPump(new ByteArrayInputStream(data), slow, Long.MAX_VALUE);
    pump.start("test-pump");

    await().atMost(Duration.ofSeconds(10)).until(() -> pump.totalBytes() == data.length);
    sinkBusy.countDown();

    assertThat(pump.close(Duration.ofSeconds(10))).isTrue();
    assertThat(received.toByteArray()).isEqualTo(data);
  }

  @Test
  void aSinkThatFallsTooFarBehindHoldsTheReaderBackAtTheInFlightLimit() {
    CountDownLatch sinkBusy = new CountDownLatch(1);
    OutputSink stuck = (buf, off, len) -> awaitQuietly(sinkBusy);
    long limit = (long) OutputPump.BLOCK_SIZE * OutputPump.MAX_BLOCKS_IN_FLIGHT;
    InputStream endless =
        new InputStream() {
          @Override
          public int read() {
            return 0;
          }

          @Override
          public int read(byte[] b, int off, int len) {
            return len;
          }
        };
    OutputPump pump = new OutputPump(endless, stuck, Long.MAX_VALUE);
    pump.start("test-pump");

    await().atMost(Duration.ofSeconds(10)).until(() -> pump.totalBytes() >= limit);
    long heldAt = pump.totalBytes();

    // held: not one more byte for a while
    await()
        .atMost(Duration.ofSeconds(10))
        .during(Duration.ofMillis(200))
        .until(() -> pump.totalBytes() == heldAt);
    assertThat(heldAt).isLessThanOrEqualTo(limit);
    sinkBusy.countDown();
  }

  @Test
  void aFollowedSpoolFileIsReadAsItGrowsAndToItsEndOnceTheWriterIsGone(@TempDir Path dir)
      throws Exception {
    Path spool = dir.resolve("spool.log");
    Files.writeString(spool, "first\n");
    OutputPump pump =
        OutputPump.following(new FileInputStream(spool.toFile()), sink, Long.MAX_VALUE);
    pump.start("test-pump");
    await().atMost(Duration.ofSeconds(10)).until(() -> sink.text().equals("first\n"));

    Files.writeString(spool, "second\n", StandardOpenOption.APPEND);
    await().atMost(Duration.ofSeconds(10)).until(() -> sink.text().equals("first\nsecond\n"));
    Files.writeString(spool, "last words", StandardOpenOption.APPEND);

    assertThat(pump.close(Duration.ofSeconds(10))).isTrue();
    assertThat(sink.text()).isEqualTo("first\nsecond\nlast words");
    assertThat(sink.finishes())
        .singleElement()
        .satisfies(f -> assertThat(f).containsExactly(23, 0));
  }

  @Test
  void aQuietFollowedFileIsLookedAtLessAndLessOftenButNeverLessThanTwentyTimesASecond() {
    List<Long> waits = new ArrayList<>();
    for (int emptyLooks = 0; emptyLooks < 9; emptyLooks++) {
      waits.add(TimeUnit.NANOSECONDS.toMillis(OutputPump.idleWait(emptyLooks)));
    }

    assertThat(waits).containsExactly(10L, 10L, 10L, 10L, 20L, 40L, 50L, 50L, 50L);
    assertThat(OutputPump.idleWait(Integer.MAX_VALUE)).isEqualTo(50_000_000L);
  }

  @Test
  void aFollowedSpoolFileThatNeverStopsGrowingIsGivenUpAfterTheWait(@TempDir Path dir)
      throws Exception {
    Path spool = dir.resolve("spool.log");
    Files.writeString(spool, "x".repeat(1000));
    InputStream endless =
        new FileInputStream(spool.toFile()) {
          @Override
          public int read(byte[] b) {
            return b.length;
          }

          @Override
          public int available() {
            return 1000;
          }

          @Override
          public long skip(long n) {
            return n;
          }
        };
    OutputPump pump = OutputPump.following(endless, sink, 1000);
    pump.start("test-pump");

    assertThat(pump.close(Duration.ofMillis(300))).isFalse();
    assertThat(sink.finishes()).hasSize(1);
  }

  @Test
  void pastTheCapAFollowedSpoolFileIsCountedWithoutBeingRead(@TempDir Path dir) throws Exception {
    Path spool = dir.resolve("spool.log");
    byte[] megabyte = new byte[1 << 20];
    Arrays.fill(megabyte, (byte) 'x');
    for (int i = 0; i < 20; i++) {
      Files.write(spool, megabyte, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
    long[] read = {0};
    InputStream counting =
        new FileInputStream(spool.toFile()) {
          @Override
          public int read(byte[] b) throws IOException {
            int n = super.read(b);
            read[0] += Math.max(n, 0);
            return n;
          }
        };
    OutputPump pump = OutputPump.following(counting, sink, 1 << 20);
    pump.start("test-pump");
    await().atMost(Duration.ofSeconds(10)).until(() -> pump.totalBytes() == 20L << 20);
    Files.write(spool, megabyte, StandardOpenOption.APPEND);

    assertThat(pump.close(Duration.ofSeconds(10))).isTrue();
    assertThat(sink.text()).hasSize(1 << 20);
    assertThat(sink.finishes())
        .singleElement()
        .satisfies(f -> assertThat(f).containsExactly(21L << 20, 20L << 20));
    assertThat(read[0]).as("bytes copied").isLessThanOrEqualTo((1 << 20) + OutputPump.BLOCK_SIZE);
  }

  @Test
  void failingSinkStopsForwardingButTheStreamIsStillDrained() {
    int[] writes = {0};
    OutputSink broken =
        (buf, off, len) -> {
          writes[0]++;
          throw new IllegalStateException("upload queue closed");
        };
    OutputPump pump =
        new OutputPump(new ByteArrayInputStream(bytes(500_000)), broken, Long.MAX_VALUE);
    pump.start("test-pump");

    assertThat(pump.close(Duration.ofSeconds(10))).isTrue();
    assertThat(pump.totalBytes()).isEqualTo(500_000);
    assertThat(writes[0]).isEqualTo(1);
  }

  @Test
  void closeGivesUpOnAPipeThatStaysOpenAndForwardsNothingAfterwards() throws IOException {
    PipedOutputStream writer = new PipedOutputStream();
    InputStream reader = new PipedInputStream(writer);
    OutputPump pump = new OutputPump(reader, sink, Long.MAX_VALUE);
    pump.start("test-pump");
    writer.write("before\n".getBytes());
    writer.flush();

    boolean ended = pump.close(Duration.ofMillis(200));
    writer.write("after\n".getBytes());
    writer.close();

    assertThat(ended).isFalse();
    assertThat(sink.text()).isIn("", "before\n");
    assertThat(sink.finishes()).hasSize(1);
  }

  private OutputPump pump(InputStream in, long max) {
    OutputPump pump = new OutputPump(in, sink, max);
    pump.start("test-pump");
    assertThat(pump.close(Duration.ofSeconds(10))).isTrue();
    return pump;
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static byte[] bytes(int n) {
    byte[] data = new byte[n];
    for (int i = 0; i < n; i++) {
      data[i] = (byte) i;
    }
    return data;
  }
}
