package dev.kiln.api.culprit;

import dev.kiln.api.temporal.ApiTemporalWorker;
import dev.kiln.workflows.TaskQueues;
import dev.kiln.workflows.culprit.CulpritWorkflowImpl;
import io.temporal.client.WorkflowClient;
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

  private final CulpritProperties properties;
  private final ApiTemporalWorker worker;
  private volatile boolean running;

  CulpritWorker(WorkflowClient client, CulpritProperties properties, Bisections bisections) {
    this.properties = properties;
    this.worker =
        new ApiTemporalWorker(
            client,
            TaskQueues.CULPRIT,
            "culprit finder",
            queue -> {
              queue.registerWorkflowImplementationTypes(CulpritWorkflowImpl.class);
              queue.registerActivitiesImplementations(new CulpritActivitiesImpl(bisections));
            });
  }

  @Override
  public void start() {
    running = true;
    if (!properties.worker()) {
      log.info("kiln.culprit.worker=false: this api runs no culprit finder");
      return;
    }
    worker.start();
  }

  @Override
  public void stop() {
    running = false;
    worker.stop();
  }

  @Override
  public boolean isRunning() {
    return running;
  }
}
