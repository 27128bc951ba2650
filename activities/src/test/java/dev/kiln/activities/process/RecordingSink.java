package dev.kiln.activities.process;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** An {@link OutputSink} that remembers everything it was told, for assertions. */
final class RecordingSink implements OutputSink {

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final List<Long> truncations = new ArrayList<>();
  private final List<long[]> finishes = new ArrayList<>();

  @Override
  public synchronized void write(byte[] buf, int off, int len) {
    bytes.write(buf, off, len);
  }

  @Override
  public synchronized void truncated(long keptBytes) {
    truncations.add(keptBytes);
  }

  @Override
  public synchronized void finished(long totalBytes, long droppedBytes) {
    finishes.add(new long[] {totalBytes, droppedBytes});
  }

  synchronized byte[] bytes() {
    return bytes.toByteArray();
  }

  synchronized String text() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  synchronized List<Long> truncations() {
    return List.copyOf(truncations);
  }

  synchronized List<long[]> finishes() {
    return List.copyOf(finishes);
  }
}
