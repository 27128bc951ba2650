package dev.kiln.api.logs;

import dev.kiln.api.config.KilnProperties;
import dev.kiln.api.limits.LimitProperties;
import dev.kiln.api.runs.RunRepository;
import dev.kiln.api.web.ApiException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Service;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Opens log streams (SSE) and keeps them going: one {@link RunFeed} per followed run reads the
 * database once per notification ({@link RunNotifications}) for all the run's streams; the
 * heartbeat wakes feeds and streams; and all streams end when the api stops, so a graceful shutdown
 * does not wait for streams that would follow a run for hours. While a run has a stream here, this
 * instance keeps its log marked followed in the ledger, for every instance's log ingest to tell the
 * build hosts.
 */
@Service
public class LogStreams implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(LogStreams.class);

  private static final Duration MIN_FOLLOW_LEASE = Duration.ofSeconds(30);

  private final RunRepository runs;
  private final LogChunkRepository chunks;
  private final RunNotifications notifications;
  private final SseEvents events;
  private final Duration heartbeat;
  private final Duration followLease;
  private final long idleNanos;
  private final Set<LogStream> streams = ConcurrentHashMap.newKeySet();
  // a feed lives while streams are attached to it; created and dropped inside compute() for its run
  private final Map<Long, Following> feeds = new ConcurrentHashMap<>();

  private record Following(RunFeed feed, Runnable unsubscribe) {}

  // A thread per stream while it drains, none while it waits: a drain blocks on its client's
  // socket, and a shared bounded pool would let a few slow clients stall everyone else's stream.
  // The number of streams is bounded by the server's connection limit. Both executors are made in
  // start() because a lifecycle may be stopped and started again (the test context cache does).
  private volatile ExecutorService drains;
  private volatile ScheduledExecutorService heartbeats;

  private volatile boolean running;

  public LogStreams(
      RunRepository runs,
      LogChunkRepository chunks,
      RunNotifications notifications,
      SseEvents events,
      KilnProperties properties,
      LimitProperties limits) {
    this.runs = runs;
    this.chunks = chunks;
    this.notifications = notifications;
    this.events = events;
    this.heartbeat = properties.logs().heartbeat();
    this.idleNanos = limits.streamIdleTimeout().toNanos();
    this.followLease = followLease(heartbeat);
  }

  /**
   * Starts following the run: every chunk after {@code afterSeq} (of {@code step}, or all), then
   * live ones, until the run ends.
   *
   * @param afterSeq {@code -1} for the beginning, {@code null} for the live edge (chunks stored now
   *     are skipped)
   * @throws ApiException 404 when the run does not exist
   */
  public SseEmitter open(long runId, String step, Long afterSeq) {
    return open(runId, step, afterSeq, () -> {});
  }

  /**
   * As {@link #open(long, String, Long)}, calling {@code onClose} once when the stream ends,
   * however it ends (not when opening fails).
   */
  public SseEmitter open(long runId, String step, Long afterSeq, Runnable onClose) {
    if (!runs.exists(runId)) {
      throw ApiException.runNotFound(runId);
    }
    long lastSeq = chunks.lastSeq(runId).orElse(-1L);
    long start = afterSeq != null ? afterSeq : lastSeq;
    // 0: no timeout. A stream follows a run for as long as it builds (hours, for some); a dead
    // client is noticed when a heartbeat cannot be written. spring.mvc.async.request-timeout is
    // -1 for the same reason.
    SseEmitter emitter = new SseEmitter(0L);
    LogStream[] opened = new LogStream[1];
    boolean[] newFeed = new boolean[1];
    Following following =
        feeds.compute(
            runId,
            (id, existing) -> {
              Following f = existing;
              if (f == null) {
                RunFeed feed = new RunFeed(id, lastSeq, runs, chunks, events, this::drain);
                f = new Following(feed, notifications.subscribe(id, feed::wake));
                newFeed[0] = true;
              }
              opened[0] = newStream(runId, step, start, emitter, f.feed(), onClose);
              f.feed().attach(opened[0]);
              return f;
            });
    streams.add(opened[0]);
    if (newFeed[0]) {
      // a chunk committed between lastSeq() and subscribe() notified nobody
      following.feed().wake();
      renewFollowing(List.of(runId));
    }
    opened[0].wake();
    return emitter;
  }

  private LogStream newStream(
      long runId, String step, long start, SseEmitter emitter, RunFeed feed, Runnable onClose) {
    LogStream[] self = new LogStream[1];
    self[0] =
        new LogStream(
            runId,
            step,
            start,
            emitter,
            runs,
            chunks,
            events,
            feed,
            this::drain,
            () -> {
              closed(self[0]);
              onClose.run();
            });
    return self[0];
  }

  private void closed(LogStream stream) {
    streams.remove(stream);
    feeds.computeIfPresent(
        stream.runId(),
        (id, f) -> {
          if (!f.feed().detach(stream)) {
            return f;
          }
          f.unsubscribe().run();
          return null;
        });
  }

  /**
   * How long a run counts as followed after a stream of it was opened here or last renewed: two
   * heartbeats, so that one late renewal does not slow its log down, and at least 30 s.
   */
  static Duration followLease(Duration heartbeat) {
    Duration twice = heartbeat.multipliedBy(2);
    return twice.compareTo(MIN_FOLLOW_LEASE) > 0 ? twice : MIN_FOLLOW_LEASE;
  }

  /**
   * Tells build hosts, through the ledger, that these runs' logs are followed, so they send each
   * chunk as it is cut (see {@link LogIngest.Appended#followed}). A failed write only costs the
   * followers up to a second of lag, never their stream.
   */
  private void renewFollowing(List<Long> runIds) {
    try {
      chunks.markFollowed(runIds, followLease);
    } catch (RuntimeException e) {
      log.warn("could not mark {} runs' logs followed: {}", runIds.size(), e.toString());
    }
  }

  /** How many streams are open, for tests and metrics. */
  public int openStreams() {
    return streams.size();
  }

  private void drain(Runnable task) {
    ExecutorService executor = drains;
    if (executor == null) {
      throw new RejectedExecutionException("log streams are stopped");
    }
    executor.execute(task);
  }

  @Override
  public synchronized void start() {
    if (running) {
      return;
    }
    drains =
        new ThreadPoolExecutor(
            0,
            Integer.MAX_VALUE,
            60,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            daemonThreads("kiln-log-stream-"));
    heartbeats = Executors.newSingleThreadScheduledExecutor(daemonThreads("kiln-log-heartbeat-"));
    long millis = heartbeat.toMillis();
    heartbeats.scheduleAtFixedRate(
        () -> {
          // a feed re-reads, in case a notification was lost; a stream writes a comment
          feeds.values().forEach(f -> f.feed().wake());
          renewFollowing(List.copyOf(feeds.keySet()));
          long now = System.nanoTime();
          streams.forEach(stream -> stream.heartbeat(now, idleNanos));
        },
        millis,
        millis,
        TimeUnit.MILLISECONDS);
    running = true;
  }

  @Override
  public synchronized void stop() {
    if (!running) {
      return;
    }
    running = false;
    heartbeats.shutdownNow();
    streams.forEach(LogStream::shutdown);
    drains.shutdown();
    drains = null;
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
