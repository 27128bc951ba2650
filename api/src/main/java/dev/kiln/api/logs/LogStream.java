package dev.kiln.api.logs;

import dev.kiln.api.runs.RunRecord;
import dev.kiln.api.runs.RunRepository;
import dev.kiln.api.web.RunIdMdcFilter;
import dev.kiln.workflows.Phase;
import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter.DataWithMediaType;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * One client following one run's log. It keeps no queue of events: a notification (or a heartbeat)
 * only marks the stream dirty, and a drain reads from the database everything after the last {@code
 * seq} it sent. So a slow client costs memory for one page, never for a backlog; it never misses a
 * chunk (whatever piled up is read on its next drain); and since each drain runs on a thread of its
 * own while it blocks on the client's socket, it never slows the other streams.
 *
 * <p>Drains of one stream never overlap ({@link #running}), so the fields below the atomics are
 * only touched by one thread at a time; the atomics order those threads.
 */
final class LogStream {

  private static final Logger log = LoggerFactory.getLogger(LogStream.class);

  /** Chunks per read; at the worker's 64 KiB a chunk, at most 8 MiB in memory per stream. */
  static final int PAGE = 128;

  private final long runId;
  private final String step;
  private final SseEmitter emitter;
  private final RunRepository runs;
  private final LogChunkRepository chunks;
  private final Executor executor;
  private final Runnable onClose;

  private final AtomicBoolean dirty = new AtomicBoolean();
  private final AtomicBoolean running = new AtomicBoolean();
  private final AtomicBoolean heartbeatDue = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();

  private long lastSeq;
  private Phase lastPhase;
  private final Map<String, byte[]> carry = new HashMap<>();
  private final Set<String> stepsSeen = new HashSet<>();

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
      Executor executor,
      Runnable onClose) {
    this.runId = runId;
    this.step = step;
    this.lastSeq = afterSeq;
    this.emitter = emitter;
    this.runs = runs;
    this.chunks = chunks;
    this.executor = executor;
    this.onClose = onClose;
    emitter.onCompletion(this::closed);
    emitter.onTimeout(this::closed);
    emitter.onError(e -> closed());
  }

  long runId() {
    return runId;
  }

  /** Something may have changed: read again soon. Never blocks. */
  void wake() {
    if (closed.get()) {
      return;
    }
    dirty.set(true);
    if (running.compareAndSet(false, true)) {
      try {
        executor.execute(this::drain);
      } catch (RejectedExecutionException e) {
        running.set(false); // shutting down
      }
    }
  }

  void heartbeat() {
    heartbeatDue.set(true);
    wake();
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
    try (MDC.MDCCloseable ignored =
        MDC.putCloseable(RunIdMdcFilter.MDC_KEY, Long.toString(runId))) {
      while (!closed.get() && dirty.getAndSet(false)) {
        pump();
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
    } finally {
      running.set(false);
    }
    // a wake that came in after the loop's last check found running still set: take it now
    if (dirty.get() && !closed.get()) {
      wake();
    }
  }

  private void pump() throws IOException {
    RunRecord run = runs.find(runId).orElse(null);
    if (run == null) {
      shutdown();
      return;
    }
    boolean ended = run.result().isTerminal();
    if (!ended && run.phase() != lastPhase) {
      send(phase(run.phase()));
    }
    // the run row is read first: every chunk committed before the terminal write is read below
    sendLogs();
    if (ended) {
      Set<DataWithMediaType> last = new LinkedHashSet<>();
      if (run.phase() != lastPhase) {
        last.addAll(phase(run.phase()));
      }
      last.addAll(
          SseEmitter.event()
              .name(LogEvents.END)
              .data(
                  new LogEvents.End(
                      run.result().wireName(), run.failureSummary(), chunks.droppedBytes(runId)),
                  MediaType.APPLICATION_JSON)
              .build());
      send(last);
      if (closed.compareAndSet(false, true)) {
        onClose.run();
        emitter.complete();
      }
      return;
    }
    if (heartbeatDue.getAndSet(false)) {
      send(SseEmitter.event().comment("heartbeat").build());
    }
  }

  private Set<DataWithMediaType> phase(Phase phase) {
    lastPhase = phase;
    return SseEmitter.event()
        .name(LogEvents.PHASE)
        .data(new LogEvents.Phase(phase.wireName()), MediaType.APPLICATION_JSON)
        .build();
  }

  private void sendLogs() throws IOException {
    while (!closed.get()) {
      List<LogChunk> page = chunks.read(runId, step, lastSeq, Long.MAX_VALUE, PAGE);
      if (page.isEmpty()) {
        return;
      }
      Set<DataWithMediaType> events = new LinkedHashSet<>();
      for (LogChunk chunk : page) {
        events.addAll(
            SseEmitter.event()
                .id(Long.toString(chunk.seq()))
                .name(LogEvents.LOG)
                .data(
                    new LogEvents.Log(chunk.seq(), chunk.step(), chunk.createdAt(), text(chunk)),
                    MediaType.APPLICATION_JSON)
                .build());
      }
      // one write and flush per page, not per chunk
      send(events);
      lastSeq = page.get(page.size() - 1).seq();
      if (page.size() < PAGE) {
        return;
      }
    }
  }

  private String text(LogChunk chunk) {
    byte[] carried = carry.remove(chunk.step());
    if (carried == null) {
      carried = new byte[0];
      if (stepsSeen.add(chunk.step()) && Utf8Chunks.startsMidCharacter(chunk.data())) {
        // a stream resumed (Last-Event-ID, live edge) in the middle of a character: its first
        // bytes went with a chunk this stream did not send
        carried =
            chunks
                .previousData(runId, chunk.step(), chunk.seq())
                .map(Utf8Chunks::tail)
                .orElse(carried);
      }
    }
    Utf8Chunks.Decoded decoded = Utf8Chunks.decode(carried, chunk.data());
    if (decoded.carry().length > 0) {
      carry.put(chunk.step(), decoded.carry());
    }
    return decoded.text();
  }

  private void send(Set<DataWithMediaType> data) throws IOException {
    if (!closed.get()) {
      emitter.send(data);
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
