package dev.kiln.api.logs;

import dev.kiln.api.runs.RunRecord;
import dev.kiln.api.runs.RunRepository;
import dev.kiln.api.web.RunIdMdcFilter;
import dev.kiln.workflows.LogChunk;
import dev.kiln.workflows.Phase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter.DataWithMediaType;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * One client following one run's log. It starts by reading the database on its own (the replay from
 * the beginning or from {@code Last-Event-ID}) up to where the run's shared {@link RunFeed} is,
 * then joins the feed and is "live": the feed queues the events it serialised once for all
 * followers ({@link #offer}), and this stream's drain writes them to the client.
 *
 * <p>The queue is bounded ({@link #MAX_QUEUED_BYTES}): a client that does not keep up is dropped
 * from the feed and goes back to reading the database from where it is, a page at a time. So a slow
 * client costs memory for one page or one full queue, never for a backlog; it never misses a chunk;
 * and since each drain runs on a thread of its own while it blocks on the client's socket, it never
 * slows the feed or the other streams.
 *
 * <p>Drains of one stream never overlap ({@link SerialTask}). {@link #position} and {@link
 * #lastPhase} belong to the drain while the stream is not live, and to the feed (under its lock)
 * while it is; joining and leaving the feed go through that lock, which orders the two.
 */
final class LogStream {

  private static final Logger log = LoggerFactory.getLogger(LogStream.class);

  /** Chunks per read, at most. */
  static final int PAGE = 128;

  /**
   * Log bytes per read and per write, at most (plus one chunk, which the worker cuts at 64 KiB): a
   * stream whose client does not read blocks in a write holding at most this much log and its
   * events, however far behind it is.
   */
  static final int PAGE_BYTES = 64 * 1024;

  /** Written before a stream ends for being idle; the client reconnects with Last-Event-ID. */
  static final byte[] IDLE =
      ":idle for too long; reconnect with Last-Event-ID to follow on\n\n"
          .getBytes(java.nio.charset.StandardCharsets.UTF_8);

  /**
   * Bytes a live stream may have queued and not yet written. The bytes are shared with the other
   * streams (the feed serialises each event once), so this bounds how long a slow client keeps them
   * alive rather than what it copies.
   */
  static final int MAX_QUEUED_BYTES = 256 * 1024;

  /** Queued after the end event: the stream completes once it has written what came before. */
  private static final byte[] COMPLETE = new byte[0];

  private static final MediaType EVENT_STREAM = MediaType.TEXT_EVENT_STREAM;

  private final long runId;
  private final String step;
  private final SseEmitter emitter;
  private final RunRepository runs;
  private final LogChunkRepository chunks;
  private final SseEvents events;
  private final RunFeed feed;
  private final Runnable onClose;
  private final SerialTask drain;
  private final LogText text;

  private final Queue<byte[]> queue = new ConcurrentLinkedQueue<>();
  private final AtomicLong queuedBytes = new AtomicLong();
  private final AtomicBoolean heartbeatDue = new AtomicBoolean();
  private final AtomicBoolean idleDue = new AtomicBoolean();
  // when the stream last sent a log line, a phase or the end (heartbeats do not count)
  private volatile long lastDataNanos = System.nanoTime();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean live;

  /** Every chunk up to this seq (of this stream's step) has been sent or queued. */
  private long position;

  private Phase lastPhase;

  /**
   * @param afterSeq the stream starts after this chunk ({@code -1} for the beginning)
   * @param onClose called once when the stream ends, however it ends
   */
  LogStream(
      long runId,
      String step,
      long afterSeq,
      SseEmitter emitter,
      RunRepository runs,
      LogChunkRepository chunks,
      SseEvents events,
      RunFeed feed,
      Executor executor,
      Runnable onClose) {
    this.runId = runId;
    this.step = step;
    this.position = afterSeq;
    this.emitter = emitter;
    this.runs = runs;
    this.chunks = chunks;
    this.events = events;
    this.feed = feed;
    this.onClose = onClose;
    this.drain = new SerialTask(executor, this::drain);
    this.text = new LogText(runId, chunks);
    emitter.onCompletion(this::closed);
    emitter.onTimeout(this::closed);
    emitter.onError(e -> closed());
  }

  long runId() {
    return runId;
  }

  boolean live() {
    return live;
  }

  /** Something may have changed: write or read again soon. Never blocks. */
  void wake() {
    if (!closed.get()) {
      drain.wake();
    }
  }

  void heartbeat() {
    heartbeatDue.set(true);
    wake();
  }

  /** A heartbeat that also ends the stream once it has sent no data for {@code idleNanos}. */
  void heartbeat(long nowNanos, long idleNanos) {
    if (nowNanos - lastDataNanos > idleNanos) {
      idleDue.set(true);
    }
    heartbeat();
  }

  /**
   * Called by the feed, under its lock, with what it read: queues this stream's share without
   * blocking and wakes the drain.
   *
   * @param phase the run's phase, to send if it changed, or {@code null}
   * @param end the end event, or {@code null} while the run goes on
   * @return false when the queue would exceed {@link #MAX_QUEUED_BYTES}: the stream has left the
   *     feed and reads what it missed from the database
   */
  boolean offer(List<RunFeed.Event> batch, Phase phase, byte[] phaseEvent, byte[] end) {
    List<byte[]> mine = new ArrayList<>(batch.size() + 2);
    long bytes = 0;
    boolean phaseChanged = phase != null && phase != lastPhase;
    if (phaseChanged && end == null) {
      mine.add(phaseEvent);
    }
    long newPosition = position;
    for (RunFeed.Event event : batch) {
      if (event.seq() <= newPosition) {
        continue; // it read this one itself before joining
      }
      newPosition = event.seq();
      if (step == null || step.equals(event.step())) {
        mine.add(event.bytes());
      }
    }
    if (end != null) {
      if (phaseChanged) {
        mine.add(phaseEvent);
      }
      mine.add(end);
      mine.add(COMPLETE);
    }
    for (byte[] b : mine) {
      bytes += b.length;
    }
    long already = queuedBytes.get();
    if (already > 0 && already + bytes > MAX_QUEUED_BYTES) {
      leaveFeed();
      return false;
    }
    position = newPosition;
    if (phaseChanged) {
      lastPhase = phase;
    }
    if (!mine.isEmpty()) {
      queuedBytes.addAndGet(bytes);
      queue.addAll(mine);
      wake();
    }
    return true;
  }

  /** The feed no longer delivers to this stream: read from the database from where it is. */
  void leaveFeed() {
    text.resume(); // before the volatile write, which hands the stream back to its drain
    live = false;
    wake();
  }

  /** Called by the feed under its lock when the stream joins it. */
  void joinedFeed() {
    live = true;
  }

  /** Ends the stream without an {@code end} event (the api is shutting down). */
  void shutdown() {
    if (closed.compareAndSet(false, true)) {
      onClose.run();
      try {
        emitter.complete();
      } catch (RuntimeException ignored) {
        // the response is gone already
      }
    }
  }

  private void drain() {
    if (closed.get()) {
      return;
    }
    try (MDC.MDCCloseable ignored =
        MDC.putCloseable(RunIdMdcFilter.MDC_KEY, Long.toString(runId))) {
      // read before the queue: once a stream is not live the feed queues nothing more, so this
      // round writes everything queued before reading on from the database
      boolean wasLive = live;
      writeQueued();
      if (!wasLive && !closed.get()) {
        catchUp();
      }
      if (idleDue.get() && !closed.get()) {
        log.debug("log stream idle too long; ending it");
        send(IDLE);
        complete();
        return;
      }
      if (heartbeatDue.getAndSet(false) && !closed.get()) {
        send(SseEvents.HEARTBEAT);
      }
    } catch (IOException e) {
      // the client went away; the container reports it to the emitter as well
      log.debug("log stream closed by the client: {}", e.getMessage());
      fail(e);
    } catch (IllegalStateException e) {
      // the emitter completed under us (the container saw the client go); nothing to retry
      log.debug("log stream ended while sending: {}", e.getClass().getSimpleName());
      closed();
    } catch (RuntimeException e) {
      // most likely the database; the next heartbeat tries again
      log.warn("log stream could not read run {}: {}", runId, e.toString());
    }
  }

  /** Writes what the feed queued, in one write and flush. */
  private void writeQueued() throws IOException {
    ByteArrayOutputStream out = null;
    boolean complete = false;
    byte[] next;
    while ((next = queue.poll()) != null) {
      if (next == COMPLETE) {
        complete = true;
        break;
      }
      if (out == null) {
        out = new ByteArrayOutputStream(next.length);
      }
      out.writeBytes(next);
      queuedBytes.addAndGet(-next.length);
    }
    if (out != null) {
      send(out.toByteArray());
    }
    if (complete) {
      complete();
    }
  }

  /**
   * Reads the database from {@link #position} up to the feed's position and joins the feed; or, if
   * the run has ended, reads it to the end and completes.
   */
  private void catchUp() throws IOException {
    RunRecord run = runs.find(runId).orElse(null);
    if (run == null) {
      shutdown();
      return;
    }
    boolean ended = run.result().isTerminal();
    if (!ended && run.phase() != lastPhase) {
      lastPhase = run.phase();
      send(events.phase(run.phase()));
    }
    if (ended) {
      // the run row is read first: every chunk committed before the terminal write is read below
      sendLogs(Long.MAX_VALUE);
      ByteArrayOutputStream last = new ByteArrayOutputStream();
      if (run.phase() != lastPhase) {
        lastPhase = run.phase();
        last.writeBytes(events.phase(run.phase()));
      }
      last.writeBytes(
          events.end(
              new LogEvents.End(
                  run.result().wireName(), run.failureSummary(), chunks.droppedBytes(runId))));
      send(last.toByteArray());
      complete();
      return;
    }
    while (!closed.get()) {
      long feedPosition = feed.position();
      if (position < feedPosition) {
        sendLogs(feedPosition);
      }
      // the feed lock orders this stream's fields for the feed, which takes them over now
      if (feed.join(this, position)) {
        return;
      }
      if (feed.finished()) {
        // the run ended after the row was read above: read it to its end
        wake();
        return;
      }
    }
  }

  /**
   * Sends every chunk in ({@link #position}, {@code upToSeq}], a page ({@link #PAGE_BYTES}) at a
   * time, in writes of about that size.
   */
  private void sendLogs(long upToSeq) throws IOException {
    while (!closed.get()) {
      LogChunkRepository.ChunkPage read =
          chunks.readPage(runId, step, position, upToSeq, PAGE, PAGE_BYTES);
      List<LogChunk> page = read.chunks();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (LogChunk chunk : page) {
        out.writeBytes(events.log(chunk, text.text(chunk)));
        if (out.size() >= PAGE_BYTES) {
          send(out.toByteArray());
          out.reset();
        }
        position = chunk.seq();
      }
      if (out.size() > 0) {
        send(out.toByteArray());
      }
      if (!read.more()) {
        // the step filter may leave out the last chunks: up to upToSeq, nothing more is due
        if (upToSeq != Long.MAX_VALUE) {
          position = Math.max(position, upToSeq);
        }
        return;
      }
    }
  }

  private void send(byte[] bytes) throws IOException {
    if (!closed.get()) {
      emitter.send(Set.of(new DataWithMediaType(bytes, EVENT_STREAM)));
      if (bytes != SseEvents.HEARTBEAT && bytes != IDLE) {
        lastDataNanos = System.nanoTime();
      }
    }
  }

  private void complete() {
    if (closed.compareAndSet(false, true)) {
      onClose.run();
      emitter.complete();
    }
  }

  private void fail(IOException e) {
    if (closed.compareAndSet(false, true)) {
      onClose.run();
      try {
        emitter.completeWithError(e);
      } catch (RuntimeException ignored) {
        // already completed by the container
      }
    }
  }

  private void closed() {
    if (closed.compareAndSet(false, true)) {
      onClose.run();
    }
  }
}
