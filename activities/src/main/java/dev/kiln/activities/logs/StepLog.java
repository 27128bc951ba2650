package dev.kiln.activities.logs;

import dev.kiln.activities.RunAttempt;
import dev.kiln.workflows.LogChunk;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The log of one activity attempt. Output is cut into chunks every {@code flushEvery} or {@code
 * chunkBytes}, whichever comes first, each with the next sequence number of this attempt's range
 * and its byte offset within the step. This is the only class that writes Kiln's own lines (step
 * {@value #KILN}), so their format lives in one place. Once its attempt is superseded (the run
 * started over on another host) it writes nothing more.
 */
public class StepLog implements AutoCloseable {

  /** The step of Kiln's own lines: chosen plan, commands, cancellation. */
  public static final String KILN = "kiln";

  private final RunAttempt attempt;
  private final ChunkSink uploader;
  private final Clock clock;
  private final int chunkBytes;
  private final ScheduledFuture<?> flusher;
  private final Map<String, Long> offsets = new HashMap<>();
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
  private String pendingStep;
  private long nextSeq;
  private long droppedBytes;
  private long reportedDropped;

  public StepLog(
      RunAttempt attempt,
      long firstSeq,
      ChunkSink uploader,
      ScheduledExecutorService timer,
      Duration flushEvery,
      int chunkBytes,
      Clock clock) {
    this.attempt = attempt;
    this.nextSeq = firstSeq;
    this.uploader = uploader;
    this.chunkBytes = chunkBytes;
    this.clock = clock;
    this.flusher =
        timer.scheduleWithFixedDelay(
            this::flush, flushEvery.toMillis(), flushEvery.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Raw process output of {@code step}; bytes pass through untouched (ANSI colours kept). */
  public synchronized void write(String step, byte[] buf, int off, int len) {
    if (attempt.isSuperseded()) {
      return;
    }
    if (!step.equals(pendingStep)) {
      flush();
      pendingStep = step;
    }
    while (len > 0) {
      int room = chunkBytes - pending.size();
      int take = Math.min(room, len);
      pending.write(buf, off, take);
      off += take;
      len -= take;
      if (pending.size() >= chunkBytes) {
        flush();
      }
    }
  }

  /** Kiln's own line, such as the chosen plan or "cancelling: SIGTERM sent". */
  public void kiln(String text) {
    line(KILN, text);
  }

  /** A whole line of {@code step}, such as git's progress during fetch. */
  public void line(String step, String text) {
    byte[] bytes = (text + "\n").getBytes(StandardCharsets.UTF_8);
    write(step, bytes, 0, bytes.length);
  }

  /** The command about to run, as a shell prompt. */
  public void command(String command) {
    kiln("$ " + command);
  }

  /** A sink for the output of {@code step}, for the process runner. */
  public OutputTarget output(String step) {
    return (buf, off, len) -> write(step, buf, off, len);
  }

  public synchronized void flush() {
    if (pending.size() == 0) {
      return;
    }
    if (attempt.isSuperseded()) {
      pending.reset();
      return;
    }
    reportDropped();
    emit(pendingStep, pending.toByteArray());
    pending.reset();
  }

  /** Bytes refused because the upload buffer was full (the api unreachable for too long). */
  public synchronized long droppedBytes() {
    return droppedBytes;
  }

  @Override
  public synchronized void close() {
    flusher.cancel(false);
    flush();
    reportDropped();
  }

  private void reportDropped() {
    if (droppedBytes > reportedDropped) {
      long dropped = droppedBytes - reportedDropped;
      byte[] note =
          ("log: "
                  + dropped
                  + " bytes dropped while the api could not keep up (upload buffer full)\n")
              .getBytes(StandardCharsets.UTF_8);
      // The note itself may be refused too: then it is retried at the next flush.
      if (offer(KILN, note)) {
        reportedDropped = droppedBytes;
      }
    }
  }

  private void emit(String step, byte[] data) {
    if (!offer(step, data)) {
      // Offsets still advance, so the gap shows in the stored log's offsets.
      droppedBytes += data.length;
      offsets.merge(step, (long) data.length, Long::sum);
    }
  }

  private boolean offer(String step, byte[] data) {
    long offset = offsets.getOrDefault(step, 0L);
    LogChunk chunk = new LogChunk(nextSeq, step, offset, clock.instant(), data);
    if (!uploader.offer(attempt, chunk)) {
      return false;
    }
    nextSeq++;
    offsets.put(step, offset + data.length);
    return true;
  }

  /** Where the process runner writes; kept minimal so the runner knows nothing of logs. */
  @FunctionalInterface
  public interface OutputTarget {
    void write(byte[] buf, int off, int len);
  }
}
