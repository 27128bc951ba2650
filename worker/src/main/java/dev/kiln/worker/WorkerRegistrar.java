package dev.kiln.worker;

import dev.kiln.activities.BuildHost;
import dev.kiln.activities.build.BuildActivitiesImpl;
import dev.kiln.activities.fetch.FetchActivitiesImpl;
import dev.kiln.activities.ledger.KilnApiClient;
import dev.kiln.activities.ledger.LedgerActivitiesImpl;
import dev.kiln.activities.logs.StepLogs;
import dev.kiln.workflows.TaskQueues;
import dev.kiln.workflows.lane.LaneWorkflowImpl;
import dev.kiln.workflows.rebuild.RebuildWorkflowImpl;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/** Registers this process's roles on their task queues and runs the pollers. */
@Component
class WorkerRegistrar implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(WorkerRegistrar.class);

  /**
   * Host-queue activities belong to builds that already hold a slot; the limit only guards against
   * runaway scheduling, and must not make a live host look lost (schedule-to-start).
   */
  private static final int HOST_QUEUE_HEADROOM = 4;

  /**
   * A cancel or supersede reaches a running command only in the answer to a heartbeat, and the SDK
   * otherwise sends one per 0.8 × heartbeat timeout (12 s): a cancel would wait that long before
   * the SIGTERM. Half a second keeps cancel → process group dead within a second.
   */
  static final Duration HOST_HEARTBEAT_THROTTLE = Duration.ofMillis(500);

  private final WorkerFactory factory;
  private final WorkerProperties properties;
  private final KilnApiClient api;
  private final StepLogs logs;
  private final BuildHost host;
  private volatile boolean running;

  WorkerRegistrar(
      WorkerFactory factory,
      WorkerProperties properties,
      KilnApiClient api,
      StepLogs logs,
      BuildHost host) {
    this.factory = factory;
    this.properties = properties;
    this.api = api;
    this.logs = logs;
    this.host = host;
  }

  @Override
  public void start() {
    if (properties.worker().runsControl()) {
      registerControl();
    }
    if (properties.worker().runsBuilds()) {
      registerBuild();
    }
    factory.start();
    running = true;
  }

  @Override
  public void stop() {
    // Running commands get the grace period to stop (their activities kill their groups).
    factory.shutdown();
    factory.awaitTermination(properties.worker().gracePeriod().toSeconds() + 5, TimeUnit.SECONDS);
    running = false;
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  private void registerControl() {
    Worker control = factory.newWorker(TaskQueues.CONTROL);
    control.registerWorkflowImplementationTypes(RebuildWorkflowImpl.class, LaneWorkflowImpl.class);
    control.registerActivitiesImplementations(new LedgerActivitiesImpl(api));
    log.info("worker role control: polling {}", TaskQueues.CONTROL);
  }

  private void registerBuild() {
    int slots = properties.worker().effectiveSlots();
    BuildActivitiesImpl.killLeftoverProcessGroups(host);
    for (String arch : properties.worker().effectiveArchs()) {
      Worker fetch =
          factory.newWorker(
              TaskQueues.build(arch),
              WorkerOptions.newBuilder().setMaxConcurrentActivityExecutionSize(slots).build());
      fetch.registerActivitiesImplementations(new FetchActivitiesImpl(host, logs));
      log.info("worker role build: polling {} with {} slots", TaskQueues.build(arch), slots);
    }
    Worker own =
        factory.newWorker(
            host.queue(),
            WorkerOptions.newBuilder()
                .setMaxConcurrentActivityExecutionSize(slots * 2 + HOST_QUEUE_HEADROOM)
                .setMaxHeartbeatThrottleInterval(HOST_HEARTBEAT_THROTTLE)
                .build());
    own.registerActivitiesImplementations(new BuildActivitiesImpl(host, logs, api));
    log.info("build host {}: polling {}", host.name(), host.queue());
  }
}
