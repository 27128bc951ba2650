package dev.kiln.worker;

import io.grpc.StatusRuntimeException;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.WorkerFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The task queues a build host polls, each in a {@link WorkerFactory} of its own so that one can be
 * opened or closed while the others run (a started factory takes no new workers): the fetch queues
 * (the arch queues, and the labelled queues runs are waiting on), and the host's own queue. Closing
 * a queue stops its polls at once and lets the activities it took run to their end.
 */
final class BuildPollers {

  private static final Logger log = LoggerFactory.getLogger(BuildPollers.class);

  /**
   * A labelled queue nobody asked for this long is closed; a little longer than a run takes from
   * queued to fetched, so a lane's next run finds it still polled.
   */
  static final Duration LABELLED_QUEUE_LINGER = Duration.ofMinutes(2);

  private static final int START_ATTEMPTS = 5;

  private final WorkflowClient client;
  private final BiConsumer<WorkerFactory, String> registerFetch;
  private final BiConsumer<WorkerFactory, String> registerHost;
  private final String hostQueue;
  private final Clock clock;
  private final Map<String, WorkerFactory> fetch = new HashMap<>();
  private final Map<String, Instant> labelledWantedAt = new HashMap<>();
  private WorkerFactory host;

  /**
   * @param registerFetch adds the fetch worker of a queue to a new factory
   * @param registerHost adds the host queue's worker to a new factory
   */
  BuildPollers(
      WorkflowClient client,
      String hostQueue,
      BiConsumer<WorkerFactory, String> registerFetch,
      BiConsumer<WorkerFactory, String> registerHost,
      Clock clock) {
    this.client = client;
    this.hostQueue = hostQueue;
    this.registerFetch = registerFetch;
    this.registerHost = registerHost;
    this.clock = clock;
  }

  synchronized void openHost() {
    if (host == null) {
      host = start(hostQueue, registerHost);
    }
  }

  /**
   * Stops the host queue now: running build steps are interrupted (they kill their commands) and
   * their runs restart elsewhere, as on a lost host.
   */
  void stopHostNow(Duration grace) {
    WorkerFactory stopping;
    synchronized (this) {
      stopping = host;
      host = null;
    }
    if (stopping != null) {
      stopping.shutdownNow();
      stopping.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  synchronized void openFetch(String queue) {
    fetch.computeIfAbsent(queue, q -> start(q, registerFetch));
  }

  /**
   * Keeps the labelled queues in {@code wanted} polled, opening the new ones, and closes those not
   * wanted for {@link #LABELLED_QUEUE_LINGER}.
   */
  synchronized void pollLabelled(Set<String> wanted, Set<String> archQueues) {
    Instant now = clock.instant();
    for (String queue : wanted) {
      labelledWantedAt.put(queue, now);
      openFetch(queue);
    }
    for (String queue : Set.copyOf(labelledWantedAt.keySet())) {
      if (labelledWantedAt.get(queue).isBefore(now.minus(LABELLED_QUEUE_LINGER))
          && !archQueues.contains(queue)) {
        labelledWantedAt.remove(queue);
        closeFetch(queue);
      }
    }
  }

  /** Stops polling every fetch queue: the host takes no new build. */
  synchronized void closeAllFetch() {
    for (String queue : Set.copyOf(fetch.keySet())) {
      closeFetch(queue);
    }
    labelledWantedAt.clear();
  }

  synchronized Set<String> fetchQueues() {
    return new TreeSet<>(fetch.keySet());
  }

  /** Stops everything, giving running activities {@code grace} to end. */
  void shutdown(Duration grace) {
    Map<String, WorkerFactory> all;
    synchronized (this) {
      all = new HashMap<>(fetch);
      if (host != null) {
        all.put(hostQueue, host);
      }
      fetch.clear();
      host = null;
    }
    all.values().forEach(WorkerFactory::shutdown);
    for (WorkerFactory factory : all.values()) {
      factory.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void closeFetch(String queue) {
    WorkerFactory factory = fetch.remove(queue);
    if (factory != null) {
      // Polls stop now; a fetch it took runs on and reports its result.
      factory.shutdown();
      log.info("stopped polling {}", queue);
    }
  }

  /**
   * A factory polling {@code queue}. Starting one asks Temporal about the namespace; on a machine
   * too busy to connect within the SDK's deadline the first ask can time out, so it is asked again
   * a few times before the worker gives up.
   */
  private WorkerFactory start(String queue, BiConsumer<WorkerFactory, String> register) {
    for (int attempt = 1; ; attempt++) {
      WorkerFactory factory = WorkerFactory.newInstance(client);
      register.accept(factory, queue);
      try {
        factory.start();
        return factory;
      } catch (StatusRuntimeException e) {
        factory.shutdownNow();
        if (attempt >= START_ATTEMPTS) {
          throw e;
        }
        log.warn("polling {}: Temporal did not answer ({}); trying again", queue, e.getStatus());
      }
    }
  }
}
