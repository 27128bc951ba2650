package dev.kiln.api.temporal;

import io.temporal.client.WorkflowClient;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Temporal worker the api runs on one task queue of its own (notifications, the culprit finder),
 * for work that needs what only the api holds: it starts polling in the background and retries
 * every 10 s while Temporal is down, so that the api starts without it (as it starts runs only once
 * Temporal is back).
 */
public final class ApiTemporalWorker {

  private static final Logger log = LoggerFactory.getLogger(ApiTemporalWorker.class);

  private static final long RETRY_SECONDS = 10;

  private final WorkflowClient client;
  private final String queue;
  private final String what;
  private final Consumer<Worker> registrations;
  private volatile WorkerFactory factory;
  private volatile Thread starter;

  /**
   * @param what what the worker does, for its log lines ({@code notifications})
   * @param registrations registers the queue's workflow and activity implementations
   */
  public ApiTemporalWorker(
      WorkflowClient client, String queue, String what, Consumer<Worker> registrations) {
    this.client = client;
    this.queue = queue;
    this.what = what;
    this.registrations = registrations;
  }

  /** Starts polling from a thread of its own, once Temporal answers. */
  public void start() {
    Thread thread = new Thread(this::startPolling, "kiln-" + queue + "-start");
    thread.setDaemon(true);
    starter = thread;
    thread.start();
  }

  private void startPolling() {
    while (!Thread.currentThread().isInterrupted()) {
      WorkerFactory candidate = WorkerFactory.newInstance(client);
      registrations.accept(candidate.newWorker(queue));
      try {
        candidate.start();
        factory = candidate;
        if (Thread.currentThread().isInterrupted()) {
          // stopped while starting, and stop() may have looked before factory was set
          candidate.shutdownNow();
          return;
        }
        log.info("{}: polling {}", what, queue);
        return;
      } catch (RuntimeException e) {
        candidate.shutdownNow();
        log.warn(
            "{}: Temporal unavailable ({}); trying again in {} s",
            what,
            e.toString(),
            RETRY_SECONDS);
        try {
          TimeUnit.SECONDS.sleep(RETRY_SECONDS);
        } catch (InterruptedException interrupted) {
          return;
        }
      }
    }
  }

  /** Stops trying to start, and lets a started worker finish its tasks (up to 10 s). */
  public void stop() {
    Thread thread = starter;
    if (thread != null) {
      thread.interrupt();
    }
    WorkerFactory started = factory;
    if (started != null) {
      started.shutdown();
      started.awaitTermination(10, TimeUnit.SECONDS);
    }
  }
}
