package dev.kiln.activities.logs;

import dev.kiln.activities.RunAttempt;
import dev.kiln.workflows.LogChunk;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends log chunks to the api on a background thread, one per worker process. The queue is bounded
 * by bytes: when the api is away longer than the buffer lasts, new chunks are refused (the caller
 * counts and reports what was dropped) and the build goes on — a log must never stall a build.
 * Chunks of a run are sent in order; a failed send is retried with backoff until {@link #close}.
 * The chunks of an attempt that is superseded (the run started over on another host) are dropped
 * unsent.
 *
 * <p>A chunk goes as soon as the one before it was sent while someone follows its run's log live,
 * which the api says in each answer. While nobody does, a run's chunks wait up to {@link
 * #UNFOLLOWED_DELAY} to go together: a build printing a line every 50 ms then costs the api one
 * request a second instead of ten, and a follower who comes meanwhile sees lines late by a second
 * at most, once. A run's first chunks, a mebibyte of them, and those someone waits for ({@link
 * #awaitSent}: a build step's activity does before it ends) never wait.
 */
public class LogUploader implements ChunkSink, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LogUploader.class);
  private static final int MAX_BATCH_BYTES = 1 << 20;
  private static final Duration INITIAL_BACKOFF = Duration.ofMillis(100);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  /** How long the chunks of a run nobody follows may wait to go in one request. */
  public static final Duration UNFOLLOWED_DELAY = Duration.ofSeconds(1);

  /** Runs remembered as unfollowed; past it the memory starts over (their chunks go at once). */
  private static final int UNFOLLOWED_MEMORY = 1024;

  private final ChunkTransport transport;
  private final long capacityBytes;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final List<Queued> queue = new ArrayList<>();
  private final Thread sender;
  private final long unfollowedDelayNanos;
  private final Set<Long> unfollowed = new HashSet<>(); // the api's last answer: nobody follows
  private final Map<Long, Integer> awaited = new HashMap<>(); // runs an awaitSent waits for
  private long queuedBytes;
  private Long sendingRun; // the run whose batch is being sent, if any
  private volatile boolean closed;

  public LogUploader(ChunkTransport transport, long capacityBytes) {
    this(transport, capacityBytes, UNFOLLOWED_DELAY);
  }

  LogUploader(ChunkTransport transport, long capacityBytes, Duration unfollowedDelay) {
    this.transport = transport;
    this.capacityBytes = capacityBytes;
    this.unfollowedDelayNanos = unfollowedDelay.toNanos();
    this.sender = new Thread(this::sendLoop, "kiln-log-uploader");
    sender.setDaemon(true);
    sender.start();
  }

  /** A chunk waiting to be sent, and the attempt of the run whose log it is. */
  private record Queued(RunAttempt attempt, LogChunk chunk, long queuedAt) {

    int size() {
      return chunk.data().length;
    }

    long runId() {
      return attempt.runId();
    }

    /** Whether it is still to be sent: its attempt is not superseded. */
    boolean live() {
      return !attempt.isSuperseded();
    }
  }

  /**
   * Queues a chunk of {@code attempt}'s log; {@code false} when the buffer is full (it is dropped).
   */
  @Override
  public boolean offer(RunAttempt attempt, LogChunk chunk) {
    lock.lock();
    try {
      if (closed || queuedBytes + chunk.data().length > capacityBytes) {
        return false;
      }
      queue.add(new Queued(attempt, chunk, System.nanoTime()));
      queuedBytes += chunk.data().length;
      changed.signalAll();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until every chunk of {@code runId} queued so far was sent (or dropped, its attempt
   * superseded), or the timeout passes.
   */
  public boolean awaitSent(long runId, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      awaited.merge(runId, 1, Integer::sum);
      changed.signalAll(); // the sender may be holding this run's chunks back
      while (Objects.equals(sendingRun, runId)
          || queue.stream().anyMatch(c -> c.runId() == runId && c.live())) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        changed.awaitNanos(left);
      }
      // the step is done with its log: the run's next activity starts by asking the api again
      unfollowed.remove(runId);
      return true;
    } finally {
      awaited.computeIfPresent(runId, (run, waiting) -> waiting == 1 ? null : waiting - 1);
      lock.unlock();
    }
  }

  @Override
  public void close() {
    closed = true;
    sender.interrupt();
  }

  private void sendLoop() {
    Duration backoff = INITIAL_BACKOFF;
    while (!closed) {
      List<Queued> batch;
      try {
        batch = takeBatch();
      } catch (InterruptedException e) {
        return;
      }
      RunAttempt attempt = batch.get(0).attempt();
      try {
        boolean followed = transport.send(attempt, batch.stream().map(Queued::chunk).toList());
        backoff = INITIAL_BACKOFF;
        followed(attempt.runId(), followed);
        complete(batch);
      } catch (RuntimeException e) {
        if (attempt.isSuperseded()) {
          // The run started over elsewhere: nothing more is sent for this attempt.
          log.info("dropping {} log chunks of {}: superseded", batch.size(), attempt);
          complete(batch);
          continue;
        }
        if (isRefusedForGood(e)) {
          // Retrying a request the api refuses would stall every run's log behind this one.
          log.error(
              "log upload of run {} refused, dropping {} chunks: {}",
              batch.get(0).runId(),
              batch.size(),
              e.getMessage());
          complete(batch);
          continue;
        }
        log.warn("log upload failed, retrying in {} ms: {}", backoff.toMillis(), e.getMessage());
        requeue(batch);
        if (!sleep(backoff)) {
          return;
        }
        backoff =
            backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0
                ? MAX_BACKOFF
                : backoff.multipliedBy(2);
      }
    }
  }

  private static boolean isRefusedForGood(RuntimeException e) {
    return e instanceof ChunksRefusedException;
  }

  /**
   * The next batch: of the first run in the queue that is due to send, its oldest chunk's attempt's
   * chunks, up to a batch size, in queue order; superseded attempts' chunks are dropped on the way.
   * Waits for a run to be due.
   */
  private List<Queued> takeBatch() throws InterruptedException {
    lock.lock();
    try {
      while (true) {
        dropSuperseded();
        long now = System.nanoTime();
        long untilDue = Long.MAX_VALUE;
        Map<Long, Long> bytes = bytesByRun();
        Set<Long> seen = new HashSet<>();
        for (Queued queued : queue) {
          if (!seen.add(queued.runId())) {
            // A run's first chunk is its oldest, of whichever activity: it alone says when the
            // run is due, so that a later activity's chunks never overtake an earlier one's.
            continue;
          }
          long wait = dueAt(queued, bytes.get(queued.runId())) - now;
          if (wait <= 0) {
            return batchOf(queued.attempt());
          }
          untilDue = Math.min(untilDue, wait);
        }
        if (untilDue == Long.MAX_VALUE) {
          changed.await();
        } else {
          changed.awaitNanos(untilDue);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** When the chunks of {@code oldest}'s run are to go. Under the lock. */
  private long dueAt(Queued oldest, long runBytes) {
    long runId = oldest.runId();
    boolean hold =
        unfollowed.contains(runId) && !awaited.containsKey(runId) && runBytes < MAX_BATCH_BYTES;
    return hold ? oldest.queuedAt() + unfollowedDelayNanos : oldest.queuedAt();
  }

  private Map<Long, Long> bytesByRun() {
    Map<Long, Long> bytes = new HashMap<>();
    for (Queued queued : queue) {
      bytes.merge(queued.runId(), (long) queued.size(), Long::sum);
    }
    return bytes;
  }

  /** The attempt's chunks from the front of the queue, up to a batch size. Under the lock. */
  private List<Queued> batchOf(RunAttempt attempt) {
    List<Queued> batch = new ArrayList<>();
    int bytes = 0;
    for (var it = queue.iterator(); it.hasNext(); ) {
      Queued queued = it.next();
      if (queued.attempt() != attempt) {
        continue;
      }
      if (!batch.isEmpty() && bytes + queued.size() > MAX_BATCH_BYTES) {
        break;
      }
      batch.add(queued);
      bytes += queued.size();
      it.remove();
    }
    sendingRun = attempt.runId();
    return batch;
  }

  /** Remembers what the api answered about {@code runId}'s followers. */
  private void followed(long runId, boolean followed) {
    lock.lock();
    try {
      if (followed) {
        unfollowed.remove(runId);
      } else {
        if (unfollowed.size() >= UNFOLLOWED_MEMORY) {
          unfollowed.clear();
        }
        unfollowed.add(runId);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Removes the chunks of superseded attempts. Under the lock. */
  private void dropSuperseded() {
    boolean dropped = false;
    for (var it = queue.iterator(); it.hasNext(); ) {
      Queued queued = it.next();
      if (!queued.live()) {
        it.remove();
        queuedBytes -= queued.size();
        dropped = true;
      }
    }
    if (dropped) {
      changed.signalAll();
    }
  }

  private void complete(List<Queued> batch) {
    lock.lock();
    try {
      batch.forEach(queued -> queuedBytes -= queued.size());
      sendingRun = null;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void requeue(List<Queued> batch) {
    lock.lock();
    try {
      queue.addAll(0, batch);
      sendingRun = null;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private static boolean sleep(Duration duration) {
    try {
      TimeUnit.MILLISECONDS.sleep(duration.toMillis());
      return true;
    } catch (InterruptedException e) {
      return false;
    }
  }
}
