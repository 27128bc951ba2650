package dev.kiln.activities.process;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies a command's output to an {@link OutputSink}, enforcing the output cap, on two threads: a
 * reader that only reads the output into blocks, and a forwarder that hands the blocks to the sink
 * (chunking, error scanning), up to {@link #MAX_BLOCKS_IN_FLIGHT} blocks behind. Past the cap the
 * reader hands nothing more over and only counts: what it reads from a pipe, or, in a spool file,
 * what it skips.
 *
 * <p>It reads either a pipe, which ends at end-of-file, or a spool file ({@link #following}) that
 * the command's {@link OutputRelay} writes into, which ends only when {@link #close} says the
 * command is gone: until then, end-of-file means "nothing new yet" and the reader looks again after
 * {@link #FOLLOW_POLL}; after {@link #FOLLOW_POLL_PATIENCE} looks that found nothing, twice as long
 * after each further one, up to {@link #FOLLOW_POLL_MAX} (a quiet command costs a few looks a
 * second, not a hundred), and at once when {@link #close} says the command is gone. A pipe must be
 * drained, or its writer blocks in write(2); a spool file never makes its writer wait. What the
 * relay counted but kept out of the file is added with {@link #addUnspooledBytes}.
 */
final class OutputPump {

  private static final Logger log = LoggerFactory.getLogger(OutputPump.class);

  /** A pipe holds 64 KiB on Linux, so one read never returns more. */
  static final int BLOCK_SIZE = 64 * 1024;

  /**
   * How far (64 MiB, the default cap) the forwarder may fall behind before the reader waits for it
   * and the command feels it: on a busy host a burst up to the cap never slows the build down.
   * Bounds the memory one command's output can take; blocks are made only when needed.
   */
  static final int MAX_BLOCKS_IN_FLIGHT = 1024;

  /** How soon a followed spool file is read again after a read that found output. */
  static final Duration FOLLOW_POLL = Duration.ofMillis(10);

  /**
   * Empty looks at {@link #FOLLOW_POLL} before the waits grow: a command printing a line every 20
   * or 30 ms is read as promptly as before.
   */
  static final int FOLLOW_POLL_PATIENCE = 4;

  /**
   * The longest wait between two looks at a followed spool file while the command prints nothing:
   * what it then prints reaches its log at most this much later (a followed log is sent every 100
   * ms).
   */
  static final Duration FOLLOW_POLL_MAX = Duration.ofMillis(50);

  private static final Block END = new Block(null, 0);
  private static final Block CAP_REACHED = new Block(null, 0);

  private final InputStream in;
  private final OutputSink sink;
  private final long maxBytes;
  private final boolean follow;
  private volatile boolean writerGone;
  private final Object writerGoneSignal = new Object();
  private final BlockingQueue<Block> filled = new LinkedBlockingQueue<>();
  private final ArrayDeque<byte[]> spare = new ArrayDeque<>(); // guarded by itself
  private final CountDownLatch ended = new CountDownLatch(1);
  private final CompletableFuture<Void> forwarded = new CompletableFuture<>();

  // Guards `abandoned`, so a block the reader enqueues after close() is never forwarded.
  private final Object handOff = new Object();
  private boolean abandoned;

  private volatile long totalBytes;
  private volatile long unspooledBytes;
  private int buffersMade; // guarded by spare

  // Reader thread only.
  private long handedOffBytes;
  private boolean capReached;

  // Forwarder thread only.
  private long forwardedBytes;
  private boolean sinkFailed;

  /** A pump for a pipe: the output ends at end-of-file. */
  OutputPump(InputStream in, OutputSink sink, long maxBytes) {
    this(in, sink, maxBytes, false);
  }

  private OutputPump(InputStream in, OutputSink sink, long maxBytes, boolean follow) {
    this.in = in;
    this.sink = sink;
    this.maxBytes = maxBytes;
    this.follow = follow;
  }

  /**
   * A pump for a spool file that a command is writing: it ends once {@link #close} was called (the
   * command and its group are gone) and the file was read to its end after that.
   */
  static OutputPump following(InputStream spool, OutputSink sink, long maxBytes) {
    return new OutputPump(spool, sink, maxBytes, true);
  }

  /**
   * Counts {@code bytes} of output that never reached the followed file (the relay read them past
   * the cap and dropped them). Call it before {@link #close}.
   */
  void addUnspooledBytes(long bytes) {
    unspooledBytes += bytes;
  }

  /** Starts both threads as daemons, so a pipe that never closes cannot keep the JVM alive. */
  void start(String threadName) {
    Thread forwarder = new Thread(this::forward, threadName + "-forward");
    forwarder.setDaemon(true);
    forwarder.start();
    Thread reader = new Thread(this::read, threadName);
    reader.setDaemon(true);
    reader.start();
  }

  /** Every byte of output so far, forwarded or dropped. */
  long totalBytes() {
    return totalBytes + unspooledBytes;
  }

  /**
   * The writer is gone for good (a followed spool's relay ended): the reader goes on to the end of
   * what was written and stops there. However much that is, none of it is dropped.
   *
   * @return completes once the forwarder has passed everything on to the sink; the caller waits for
   *     it heartbeating, however long a loaded host takes, then calls {@link #close}
   */
  CompletableFuture<Void> drainToEnd() {
    if (!follow) {
      throw new IllegalStateException("a pipe ends when its writers close it, not on request");
    }
    markWriterGone();
    return forwarded;
  }

  /**
   * Waits up to {@code wait} for the output to end, then for the forwarder to pass on what was
   * read, and tells the sink {@link OutputSink#finished}. If the pipe is still open, the reader
   * stays blocked in read until whoever holds the pipe closes it, but nothing it reads after this
   * reaches the sink.
   *
   * @return whether the output ended within {@code wait}
   */
  boolean close(Duration wait) {
    markWriterGone();
    boolean endedInTime = awaitUninterruptibly(ended, wait);
    synchronized (handOff) {
      if (!abandoned) {
        abandoned = true;
        if (!endedInTime) {
          filled.add(END);
        }
      }
    }
    // Bounded: at most MAX_BLOCKS_IN_FLIGHT blocks are queued, and the sink must not block.
    forwarded.join();
    return endedInTime;
  }

  private void read() {
    try (in) {
      byte[] buf = null;
      boolean lastLook = false;
      int emptyLooks = 0;
      while (!isAbandoned()) {
        if (buf == null) {
          buf = takeBuffer();
        }
        int n = follow && capReached ? skipAhead() : in.read(buf);
        if (n < 0) {
          if (!follow || lastLook) {
            break;
          }
          // Whatever the command wrote before close() said it is gone is read on this last look.
          lastLook = writerGone;
          if (!lastLook) {
            awaitWriterGone(idleWait(emptyLooks++));
          }
          continue;
        }
        emptyLooks = 0;
        totalBytes += n;
        int take = (int) Math.min(n, maxBytes - handedOffBytes);
        if (take > 0) {
          handedOffBytes += take;
          handOff(new Block(buf, take));
          buf = null;
        }
        if (take < n && !capReached) {
          capReached = true;
          handOff(CAP_REACHED);
        }
      }
    } catch (IOException e) {
      // The stream is closed when the process is destroyed; whatever was read is handed off.
      log.debug("output pipe closed: {}", e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      // END first: once close() sees the output ended, END must already be queued.
      handOff(END);
      ended.countDown();
    }
  }

  /** The wait, in nanoseconds, before the next look at a followed file that was found empty. */
  static long idleWait(int emptyLooksBefore) {
    int doublings = Math.min(Math.max(0, emptyLooksBefore - FOLLOW_POLL_PATIENCE + 1), 8);
    return Math.min(FOLLOW_POLL.toNanos() << doublings, FOLLOW_POLL_MAX.toNanos());
  }

  private void markWriterGone() {
    synchronized (writerGoneSignal) {
      writerGone = true;
      writerGoneSignal.notifyAll();
    }
  }

  /** Waits up to {@code nanos}, less if the writer is gone meanwhile. */
  private void awaitWriterGone(long nanos) throws InterruptedException {
    synchronized (writerGoneSignal) {
      if (!writerGone) {
        TimeUnit.NANOSECONDS.timedWait(writerGoneSignal, nanos);
      }
    }
  }

  /**
   * Past the cap a spool file's new bytes are only counted: skipped with a seek, never copied, so a
   * command that floods its output costs Kiln no reading beyond the cap.
   *
   * @return how many bytes were skipped, or -1 when there were none yet (as read does at its end)
   */
  private int skipAhead() throws IOException {
    int available = in.available();
    long skipped = available > 0 ? in.skip(available) : 0;
    return skipped > 0 ? (int) skipped : -1;
  }

  private boolean isAbandoned() {
    synchronized (handOff) {
      return abandoned;
    }
  }

  private void handOff(Block block) {
    synchronized (handOff) {
      if (!abandoned) {
        filled.add(block);
      }
    }
  }

  /** A reused buffer, a new one while fewer than the limit exist, or else waits for one. */
  private byte[] takeBuffer() throws InterruptedException {
    synchronized (spare) {
      while (spare.isEmpty()) {
        if (buffersMade < MAX_BLOCKS_IN_FLIGHT) {
          buffersMade++;
          return new byte[BLOCK_SIZE];
        }
        spare.wait();
      }
      return spare.pop();
    }
  }

  private void recycle(byte[] buf) {
    synchronized (spare) {
      spare.push(buf);
      spare.notifyAll();
    }
  }

  private void forward() {
    try {
      while (true) {
        Block block = takeUninterruptibly();
        if (block == END) {
          break;
        }
        if (sinkFailed) {
          // keep taking blocks, so the reader never waits for a forwarder that gave up
        } else if (block == CAP_REACHED) {
          notifySink(() -> sink.truncated(maxBytes));
        } else {
          notifySink(() -> sink.write(block.data, 0, block.length));
          forwardedBytes += block.length;
        }
        if (block.data != null) {
          recycle(block.data);
        }
      }
      if (!sinkFailed) {
        long total = totalBytes();
        notifySink(() -> sink.finished(total, total - forwardedBytes));
      }
    } finally {
      forwarded.complete(null);
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

  private Block takeUninterruptibly() {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return filled.take();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Waits for {@code latch}, at most {@code wait}; keeps an interrupt pending. */
  private static boolean awaitUninterruptibly(CountDownLatch latch, Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return latch.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private record Block(byte[] data, int length) {}
}
