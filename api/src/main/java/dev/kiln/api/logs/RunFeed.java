package dev.kiln.api.logs;

import dev.kiln.api.runs.RunRecord;
import dev.kiln.api.runs.RunRepository;
import dev.kiln.api.web.RunIdMdcFilter;
import dev.kiln.workflows.LogChunk;
import dev.kiln.workflows.Phase;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One run's live log, read once for all the streams that follow it. On a notification it reads the
 * run row and the new chunks once, serialises each event once ({@link SseEvents}) and hands the
 * same bytes to every live stream, which queues them without blocking ({@link LogStream#offer}). So
 * a thousand followers cost one database read per notification, not a thousand.
 *
 * <p>Streams that are not live (replaying from the beginning or from {@code Last-Event-ID}, or
 * dropped for lagging) read the database on their own up to the feed's {@link #position()} and then
 * {@link #join} it. Position and delivery change together under the feed's lock, so a stream that
 * joins at the feed's position misses nothing and gets nothing twice.
 */
final class RunFeed {

  private static final Logger log = LoggerFactory.getLogger(RunFeed.class);

  /** Chunks per read, as for a stream. */
  static final int PAGE = LogStream.PAGE;

  /**
   * Log bytes per read: what the feed serialises at once and hands to its live streams, each of
   * which queues at most {@link LogStream#MAX_QUEUED_BYTES} more before it drops back to reading on
   * its own.
   */
  static final int PAGE_BYTES = 256 * 1024;

  /** One event, serialised once, shared by every stream. */
  record Event(long seq, String step, byte[] bytes) {}

  private final long runId;
  private final RunRepository runs;
  private final LogChunkRepository chunks;
  private final SseEvents events;
  private final LogText text;
  private final SerialTask poller;
  private final Set<LogStream> attached = ConcurrentHashMap.newKeySet();

  // guarded by this
  private final Set<LogStream> live = new HashSet<>();
  // every chunk with a seq up to here has been delivered; written under the lock, read without
  private volatile long position;
  private volatile boolean finished;

  // only the poller thread touches these
  private Phase phase;
  private byte[] phaseEvent;

  /**
   * @param position the feed delivers the chunks after this one (the run's last stored seq when the
   *     first follower came, or {@code -1})
   */
  RunFeed(
      long runId,
      long position,
      RunRepository runs,
      LogChunkRepository chunks,
      SseEvents events,
      Executor executor) {
    this.runId = runId;
    this.position = position;
    this.runs = runs;
    this.chunks = chunks;
    this.events = events;
    this.text = new LogText(runId, chunks);
    this.poller = new SerialTask(executor, this::poll);
  }

  long runId() {
    return runId;
  }

  /** Something may have changed (a notification, a heartbeat): read again soon. Never blocks. */
  void wake() {
    poller.wake();
  }

  long position() {
    return position;
  }

  /**
   * Whether the feed delivered the run's end: streams that are not live read the end themselves.
   */
  boolean finished() {
    return finished;
  }

  void attach(LogStream stream) {
    attached.add(stream);
  }

  /**
   * @return whether no stream is attached any more
   */
  boolean detach(LogStream stream) {
    synchronized (this) {
      live.remove(stream);
    }
    attached.remove(stream);
    return attached.isEmpty();
  }

  /**
   * Makes the stream live if it has everything up to the feed's position.
   *
   * @param streamPosition every chunk up to this seq is sent or queued by the stream
   * @return false when the feed is ahead (read up to {@link #position()} and try again) or finished
   */
  synchronized boolean join(LogStream stream, long streamPosition) {
    if (finished || position > streamPosition) {
      return false;
    }
    live.add(stream);
    stream.joinedFeed();
    return true;
  }

  private void poll() {
    try (MDC.MDCCloseable ignored =
        MDC.putCloseable(RunIdMdcFilter.MDC_KEY, Long.toString(runId))) {
      if (!finished) {
        read();
      }
    } catch (RuntimeException e) {
      // most likely the database; the next notification or heartbeat tries again
      log.warn("log feed could not read run {}: {}", runId, e.toString());
    }
    // streams catching up read the database themselves; this is their cue that it changed
    for (LogStream stream : attached) {
      if (!stream.live()) {
        stream.wake();
      }
    }
  }

  private void read() {
    RunRecord run = runs.find(runId).orElse(null);
    if (run == null) {
      finish(List.of(), null, null); // deleted: each stream finds that out on its own
      return;
    }
    boolean ended = run.result().isTerminal();
    if (run.phase() != phase) {
      phase = run.phase();
      phaseEvent = events.phase(phase);
    }
    // the run row is read first: every chunk committed before the terminal write is read below
    long from = position;
    boolean first = true;
    while (true) {
      LogChunkRepository.ChunkPage read =
          chunks.readPage(runId, null, from, Long.MAX_VALUE, PAGE, PAGE_BYTES);
      List<LogChunk> page = read.chunks();
      List<Event> batch = new ArrayList<>(page.size());
      for (LogChunk chunk : page) {
        batch.add(new Event(chunk.seq(), chunk.step(), events.log(chunk, text.text(chunk))));
      }
      if (first && !ended) {
        // as on a stream of its own: the phase it is in, before the lines written in it
        deliver(batch, phase, phaseEvent, null);
      } else if (!batch.isEmpty()) {
        deliver(batch, null, null, null);
      }
      first = false;
      if (!page.isEmpty()) {
        from = page.get(page.size() - 1).seq();
      }
      if (!read.more()) {
        break;
      }
    }
    if (ended) {
      byte[] end =
          events.end(
              new LogEvents.End(
                  run.result().wireName(), run.failureSummary(), chunks.droppedBytes(runId)));
      finish(List.of(), phase, end);
    }
  }

  private synchronized void deliver(
      List<Event> batch, Phase currentPhase, byte[] phaseBytes, byte[] end) {
    if (!batch.isEmpty()) {
      position = batch.get(batch.size() - 1).seq();
    }
    List<LogStream> lagging = new ArrayList<>();
    for (LogStream stream : live) {
      if (!stream.offer(batch, currentPhase, phaseBytes, end)) {
        lagging.add(stream);
      }
    }
    // a lagging stream reads what it missed from the database, as it did before it joined
    lagging.forEach(live::remove);
  }

  private synchronized void finish(List<Event> batch, Phase currentPhase, byte[] end) {
    if (end != null) {
      // streams that took the end complete once they have sent it; the others read it themselves
      deliver(batch, currentPhase, currentPhase == null ? null : phaseEvent, end);
    } else {
      live.forEach(LogStream::leaveFeed);
    }
    finished = true;
    live.clear();
  }
}
