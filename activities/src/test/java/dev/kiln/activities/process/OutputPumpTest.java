package dev.kiln.activities.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

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

  private static byte[] bytes(int n) {
    byte[] data = new byte[n];
    for (int i = 0; i < n; i++) {
      data[i] = (byte) i;
    }
    return data;
  }
}
