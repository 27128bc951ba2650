package dev.kiln.api.logs;

import dev.kiln.api.config.KilnProperties;
import dev.kiln.api.runs.RunRepository;
import dev.kiln.api.web.ApiException;
import java.time.Duration;
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
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Service;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Opens log streams (SSE) and keeps them going: wakes them on notifications ({@link
 * RunNotifications}) and on the heartbeat, and ends them all when the api stops, so a graceful
 * shutdown does not wait for streams that would follow a run for hours.
 */
@Service
public class LogStreams implements SmartLifecycle {

  private final RunRepository runs;
  private final LogChunkRepository chunks;
  private final RunNotifications notifications;
  private final Duration heartbeat;
  private final Set<LogStream> streams = ConcurrentHashMap.newKeySet();

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
      KilnProperties properties) {
    this.runs = runs;
    this.chunks = chunks;
    this.notifications = notifications;
    this.heartbeat = properties.logs().heartbeat();
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
    if (!runs.exists(runId)) {
      throw ApiException.runNotFound(runId);
    }
    long start = afterSeq != null ? afterSeq : chunks.lastSeq(runId).orElse(-1L);
    // 0: no timeout. A stream follows a run for as long as it builds (hours, for some); a dead
    // client is noticed when a heartbeat cannot be written. spring.mvc.async.request-timeout is
    // -1 for the same reason.
    SseEmitter emitter = new SseEmitter(0L);
    Runnable[] unsubscribe = new Runnable[1];
    LogStream stream =
        new LogStream(
            runId,
            step,
            start,
            emitter,
            runs,
            chunks,
            this::drain,
            () -> {
              unsubscribe[0].run();
            });
    // subscribe before the first read, so nothing committed in between goes unnoticed
    Runnable unsubscribeNotifications = notifications.subscribe(runId, stream::wake);
    unsubscribe[0] =
        () -> {
          unsubscribeNotifications.run();
          streams.remove(stream);
        };
    streams.add(stream);
    stream.wake();
    return emitter;
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
        () -> streams.forEach(LogStream::heartbeat), millis, millis, TimeUnit.MILLISECONDS);
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
