package dev.kiln.api.notify;

import dev.kiln.api.config.KilnProperties;
import dev.kiln.api.repos.RepoStore;
import dev.kiln.api.runs.GateRunRepository;
import dev.kiln.api.runs.RunRepository;
import dev.kiln.api.runs.RunViews;
import dev.kiln.api.temporal.PublicUrl;
import dev.kiln.workflows.TaskQueues;
import dev.kiln.workflows.notify.NotificationWorkflowImpl;
import dev.kiln.workflows.repo.AllowedHosts;
import dev.kiln.workflows.repo.HostResolver;
import dev.kiln.workflows.repo.RepositoryPolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * The api's Temporal worker on {@link TaskQueues#NOTIFY}: notification workflows and their
 * activities run here, where the targets' secrets and tokens are, and not on build hosts, which run
 * untrusted builds. It starts polling in the background, retrying while Temporal is down, so that
 * the api starts without it (as it starts runs only once Temporal is back).
 */
@Component
class NotificationWorker implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(NotificationWorker.class);

  private final WorkflowClient client;
  private final NotifyProperties properties;
  private final OutboundHttp http;
  private final Deliveries deliveries;
  private volatile WorkerFactory factory;
  private volatile Thread starter;
  private volatile boolean running;

  NotificationWorker(
      WorkflowClient client,
      NotifyProperties properties,
      KilnProperties kiln,
      NotificationStore store,
      RunRepository runs,
      GateRunRepository gates,
      RepoStore repos,
      RunViews views,
      PublicUrl links,
      JsonMapper json) {
    this.client = client;
    this.properties = properties;
    // The api connects to targets itself, so it resolves their names whatever
    // kiln.repos.resolve-names says about repositories (those the workers resolve).
    this.http =
        new OutboundHttp(
            new RepositoryPolicy(
                false, AllowedHosts.of(kiln.repos().allowHosts()), HostResolver.SYSTEM),
            properties.timeout());
    this.deliveries = new Deliveries(store, runs, gates, repos, views, links, http, json);
  }

  @Override
  public void start() {
    running = true;
    if (!properties.worker()) {
      log.info("kiln.notify.worker=false: this api does not deliver notifications");
      return;
    }
    starter = new Thread(this::startPolling, "kiln-notify-start");
    starter.setDaemon(true);
    starter.start();
  }

  private void startPolling() {
    while (running) {
      WorkerFactory candidate = WorkerFactory.newInstance(client);
      Worker worker = candidate.newWorker(TaskQueues.NOTIFY);
      worker.registerWorkflowImplementationTypes(NotificationWorkflowImpl.class);
      worker.registerActivitiesImplementations(new NotificationActivitiesImpl(deliveries));
      try {
        candidate.start();
        factory = candidate;
        log.info("notifications: polling {}", TaskQueues.NOTIFY);
        return;
      } catch (RuntimeException e) {
        candidate.shutdownNow();
        log.warn("notifications: Temporal unavailable ({}); trying again in 10 s", e.toString());
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
    http.close();
  }

  @Override
  public boolean isRunning() {
    return running;
  }
}
