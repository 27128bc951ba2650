package dev.kiln.activities.process;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies a command's output pipe to an {@link OutputSink} on its own thread, enforcing the output
 * cap. Past the cap it keeps reading and dropping: a command whose pipe is not drained blocks in
 * write(2) and never finishes.
 */
final class OutputPump {

  private static final Logger log = LoggerFactory.getLogger(OutputPump.class);
  private static final int BUFFER_SIZE = 64 * 1024;

  private final InputStream in;
  private final OutputSink sink;
  private final long maxBytes;
  private final CountDownLatch ended = new CountDownLatch(1);

  // Sink calls happen under this lock so that abandon() and finished() never race with a write
  // from the pump thread.
  private final Object sinkLock = new Object();
  private volatile long totalBytes;
  private long forwardedBytes;
  private boolean truncationReported;
  private boolean sinkFailed;
  private boolean abandoned;
  private boolean finishReported;

  OutputPump(InputStream in, OutputSink sink, long maxBytes) {
    this.in = in;
    this.sink = sink;
    this.maxBytes = maxBytes;
  }

  /** Starts pumping on a daemon thread, so a pipe that never closes cannot keep the JVM alive. */
  void start(String threadName) {
    Thread thread = new Thread(this::pump, threadName);
    thread.setDaemon(true);
    thread.start();
  }

  /** Every byte read so far, forwarded or dropped. */
  long totalBytes() {
    return totalBytes;
  }

  /**
   * Waits up to {@code wait} for the output to end, then stops forwarding for good and tells the
   * sink {@link OutputSink#finished}. If the pipe is still open, the pump thread stays blocked in
   * read until whoever holds the pipe closes it, but nothing it reads reaches the sink any more.
   *
   * @return whether the output ended within {@code wait}
   */
  boolean close(Duration wait) {
    boolean endedInTime = awaitEnd(wait);
    synchronized (sinkLock) {
      abandoned = true;
      if (!finishReported && !sinkFailed) {
        finishReported = true;
        long total = totalBytes;
        notifySink(() -> sink.finished(total, total - forwardedBytes));
      }
    }
    return endedInTime;
  }

  private boolean awaitEnd(Duration wait) {
    try {
      return ended.await(wait.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ended.getCount() == 0;
    }
  }

  private void pump() {
    byte[] buf = new byte[BUFFER_SIZE];
    try (in) {
      int n;
      while ((n = in.read(buf)) >= 0) {
        totalBytes += n;
        forward(buf, n);
      }
    } catch (IOException e) {
      // The stream is closed when the process is destroyed; whatever was read has been forwarded.
      log.debug("output pipe closed: {}", e.toString());
    } finally {
      ended.countDown();
    }
  }

  private void forward(byte[] buf, int n) {
    synchronized (sinkLock) {
      if (abandoned || sinkFailed) {
        return;
      }
      int take = (int) Math.min(n, maxBytes - forwardedBytes);
      if (take > 0) {
        notifySink(() -> sink.write(buf, 0, take));
        forwardedBytes += take;
      }
      if (take < n && !truncationReported) {
        truncationReported = true;
        notifySink(() -> sink.truncated(maxBytes));
      }
    }
  }

  private void notifySink(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      sinkFailed = true;
      log.error("output sink failed; discarding the rest of the command's output", e);
    }
  }
}
