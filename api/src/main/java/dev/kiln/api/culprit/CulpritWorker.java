package dev.kiln.api.culprit;

import dev.kiln.workflows.TaskQueues;
import dev.kiln.workflows.culprit.CulpritWorkflowImpl;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The api's Temporal worker on {@link TaskQueues#CULPRIT}: the culprit finder's workflows, and its
 * activities over the ledger, which only the api can write. It starts polling in the background,
 * retrying while Temporal is down, so that the api starts without it.
 */
@Component
class CulpritWorker implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(CulpritWorker.class);

  private final WorkflowClient client;
  private final CulpritProperties properties;
  private final Bisections bisections;
  private volatile WorkerFactory factory;
  private volatile Thread starter;
  private volatile boolean running;

  CulpritWorker(WorkflowClient client, CulpritProperties properties, Bisections bisections) {
    this.client = client;
    this.properties = properties;
    this.bisections = bisections;
  }

  @Override
  public void start() {
    running = true;
    if (!properties.worker()) {
      log.info("kiln.culprit.worker=false: this api runs no culprit finder");
      return;
    }
    starter = new Thread(this::startPolling, "kiln-culprit-start");
    starter.setDaemon(true);
    starter.start();
  }

  private void startPolling() {
    while (running) {
      WorkerFactory candidate = WorkerFactory.newInstance(client);
      Worker worker = candidate.newWorker(TaskQueues.CULPRIT);
      worker.registerWorkflowImplementationTypes(CulpritWorkflowImpl.class);
      worker.registerActivitiesImplementations(new CulpritActivitiesImpl(bisections));
      try {
        candidate.start();
        factory = candidate;
        log.info("culprit finder: polling {}", TaskQueues.CULPRIT);
        return;
      } catch (RuntimeException e) {
        candidate.shutdownNow();
        log.warn("culprit finder: Temporal unavailable ({}); trying again in 10 s", e.toString());
        try {
          TimeUnit.SECONDS.sleep(10);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  @Override
  public void stop() {
    running = false;
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

  @Override
  public boolean isRunning() {
    return running;
  }
}
