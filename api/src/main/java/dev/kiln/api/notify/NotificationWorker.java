package dev.kiln.api.notify;

import dev.kiln.api.config.KilnProperties;
import dev.kiln.api.repos.RepoStore;
import dev.kiln.api.runs.GateRunRepository;
import dev.kiln.api.runs.RunRepository;
import dev.kiln.api.runs.RunViews;
import dev.kiln.api.temporal.ApiTemporalWorker;
import dev.kiln.api.temporal.PublicUrl;
import dev.kiln.workflows.TaskQueues;
import dev.kiln.workflows.notify.NotificationWorkflowImpl;
import dev.kiln.workflows.repo.AllowedHosts;
import dev.kiln.workflows.repo.HostResolver;
import dev.kiln.workflows.repo.RepositoryPolicy;
import io.temporal.client.WorkflowClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * The api's Temporal worker on {@link TaskQueues#NOTIFY}: notification workflows and their
 * activities run here, where the targets' secrets and tokens are, and not on build hosts, which run
 * untrusted builds ({@link ApiTemporalWorker}: polling starts in the background, retried while
 * Temporal is down).
 */
@Component
class NotificationWorker implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(NotificationWorker.class);

  private final NotifyProperties properties;
  private final OutboundHttp http;
  private final Deliveries deliveries;
  private final ApiTemporalWorker worker;
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
    this.properties = properties;
    // The api connects to targets itself, so it resolves their names whatever
    // kiln.repos.resolve-names says about repositories (those the workers resolve).
    this.http =
        new OutboundHttp(
            new RepositoryPolicy(
                false, AllowedHosts.of(kiln.repos().allowHosts()), HostResolver.SYSTEM),
            properties.timeout());
    this.deliveries = new Deliveries(store, runs, gates, repos, views, links, http, json);
    this.worker =
        new ApiTemporalWorker(
            client,
            TaskQueues.NOTIFY,
            "notifications",
            queue -> {
              queue.registerWorkflowImplementationTypes(NotificationWorkflowImpl.class);
              queue.registerActivitiesImplementations(new NotificationActivitiesImpl(deliveries));
            });
  }

  @Override
  public void start() {
    running = true;
    if (!properties.worker()) {
      log.info("kiln.notify.worker=false: this api does not deliver notifications");
      return;
    }
    worker.start();
  }

  @Override
  public void stop() {
    running = false;
    worker.stop();
    http.close();
  }

  @Override
  public boolean isRunning() {
    return running;
  }
}
