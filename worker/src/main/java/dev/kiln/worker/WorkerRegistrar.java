package dev.kiln.worker;

import dev.kiln.activities.BuildHost;
import dev.kiln.activities.api.ApiFetchStarts;
import dev.kiln.activities.api.ApiSubmissionSource;
import dev.kiln.activities.api.KilnApiClient;
import dev.kiln.activities.build.BuildActivitiesImpl;
import dev.kiln.activities.capacity.MachineLoad;
import dev.kiln.activities.fetch.FetchActivitiesImpl;
import dev.kiln.activities.fetch.GitFetcher;
import dev.kiln.activities.fetch.RemoteAccess;
import dev.kiln.activities.fetch.RemoteHeads;
import dev.kiln.activities.fetch.SubmissionFetcher;
import dev.kiln.activities.ledger.LedgerActivitiesImpl;
import dev.kiln.activities.logs.StepLogs;
import dev.kiln.activities.retention.RetentionActivitiesImpl;
import dev.kiln.activities.watch.RemoteHeadsActivitiesImpl;
import dev.kiln.activities.watch.WatchActivitiesImpl;
import dev.kiln.workflows.TaskQueues;
import dev.kiln.workflows.lane.LaneWorkflowImpl;
import dev.kiln.workflows.rebuild.RebuildWorkflowImpl;
import dev.kiln.workflows.retention.RetentionWorkflowImpl;
import dev.kiln.workflows.watch.WatchWorkflowImpl;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import io.temporal.worker.tuning.CompositeTuner;
import io.temporal.worker.tuning.FixedSizeSlotSupplier;
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

  /** The SDK's default for slot kinds a fetch worker never uses. */
  private static final int DEFAULT_SLOTS = 200;

  /**
   * A cancel or supersede reaches a running command only in the answer to a heartbeat, and the SDK
   * otherwise sends one per 0.8 × heartbeat timeout (4 s of the 5 s): a cancel would wait that long
   * before the SIGTERM. Half a second keeps cancel → process group dead within a second.
   */
  static final Duration HOST_HEARTBEAT_THROTTLE = Duration.ofMillis(500);

  /**
   * A cancelled run waits for its fetch to end (so that the workspace it makes is not left behind):
   * the fetch hears of the cancel within a second instead of 0.8 × its one-minute heartbeat
   * timeout.
   */
  static final Duration FETCH_HEARTBEAT_THROTTLE = Duration.ofSeconds(1);

  /** Polls of watched repositories listed at once on this host: each is one short request. */
  static final int CONCURRENT_REMOTE_LISTINGS = 4;

  /** How long listing a watched repository's branches may stall on the network. */
  static final Duration REMOTE_LISTING_TIMEOUT = Duration.ofSeconds(30);

  private final WorkerFactory factory;
  private final WorkerProperties properties;
  private final KilnApiClient api;
  private final StepLogs logs;
  private final BuildHost host;
  private final RemoteAccess remotes;
  private final RetentionScheduleRegistrar retention;
  private BuildCapacity capacity;
  private volatile boolean running;

  WorkerRegistrar(
      WorkerFactory factory,
      WorkerProperties properties,
      KilnApiClient api,
      StepLogs logs,
      BuildHost host,
      RemoteAccess remotes,
      RetentionScheduleRegistrar retention) {
    this.factory = factory;
    this.properties = properties;
    this.api = api;
    this.logs = logs;
    this.host = host;
    this.remotes = remotes;
    this.retention = retention;
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
    if (capacity != null) {
      capacity.close();
    }
    running = false;
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  private void registerControl() {
    Worker control = factory.newWorker(TaskQueues.CONTROL);
    control.registerWorkflowImplementationTypes(
        RebuildWorkflowImpl.class,
        LaneWorkflowImpl.class,
        RetentionWorkflowImpl.class,
        WatchWorkflowImpl.class);
    control.registerActivitiesImplementations(
        new LedgerActivitiesImpl(api),
        new RetentionActivitiesImpl(api),
        new WatchActivitiesImpl(api));
    log.info("worker role control: polling {}", TaskQueues.CONTROL);
    retention.register();
  }

  private void registerBuild() {
    WorkerProperties.Worker config = properties.worker();
    int slots = config.effectiveSlots();
    BuildActivitiesImpl.killLeftoverProcessGroups(host);
    capacity =
        new BuildCapacity(
            host,
            config.effectiveArchs(),
            slots,
            config.loadLimits(),
            config.slotLeaseIdle(),
            MachineLoad.ofThisMachine(),
            api);
    capacity.janitor().removeLeftoversAtStart();
    // The fetcher makes its workspaces in the host's Workspaces, so they go back to their lanes.
    GitFetcher fetcher =
        new GitFetcher(host.home(), capacity.workspaces(), properties.repos().policy(), remotes);
    SubmissionFetcher submissions =
        new SubmissionFetcher(new ApiSubmissionSource(api), capacity.workspaces());
    // One supplier for every arch: the archs share this host's slots.
    BuildSlotSupplier fetchSlots = new BuildSlotSupplier(capacity.slots());
    for (String arch : config.effectiveArchs()) {
      Worker fetch =
          factory.newWorker(
              TaskQueues.build(arch),
              WorkerOptions.newBuilder()
                  .setWorkerTuner(fetchTuner(fetchSlots))
                  .setMaxHeartbeatThrottleInterval(FETCH_HEARTBEAT_THROTTLE)
                  .build());
      fetch.registerActivitiesImplementations(
          new FetchActivitiesImpl(
              host, logs, capacity.slots(), new ApiFetchStarts(api), fetcher, submissions));
      log.info("worker role build: polling {} while a build slot is free", TaskQueues.build(arch));
    }
    // Watched repositories are listed by build workers, which hold the repository credentials;
    // never behind the build slots, so a poll does not wait for a build to end.
    Worker watch =
        factory.newWorker(
            TaskQueues.WATCH,
            WorkerOptions.newBuilder()
                .setMaxConcurrentActivityExecutionSize(CONCURRENT_REMOTE_LISTINGS)
                .build());
    watch.registerActivitiesImplementations(
        new RemoteHeadsActivitiesImpl(
            new RemoteHeads(properties.repos().policy(), remotes, REMOTE_LISTING_TIMEOUT)));
    log.info("worker role build: polling {} for watched repositories", TaskQueues.WATCH);
    // Never throttled by the build slots: these belong to builds that hold one, and a task left
    // waiting here 30 s makes the workflow think the host is lost (schedule-to-start).
    Worker own =
        factory.newWorker(
            host.queue(),
            WorkerOptions.newBuilder()
                .setMaxConcurrentActivityExecutionSize(slots * 2 + HOST_QUEUE_HEADROOM)
                .setMaxHeartbeatThrottleInterval(HOST_HEARTBEAT_THROTTLE)
                .build());
    own.registerActivitiesImplementations(
        new BuildActivitiesImpl(host, logs, api, capacity.slots(), capacity.workspaces()));
    capacity.start();
    log.info("build host {}: polling {}", host.name(), host.queue());
    // A cancel reaches a command only in a heartbeat's answer: these two decide how soon.
    log.info(
        "build host {}: commands heartbeat every {} ms, sent to Temporal at most every {} ms;"
            + " fetches at most every {} ms",
        host.name(),
        BuildActivitiesImpl.COMMAND_HEARTBEAT.toMillis(),
        HOST_HEARTBEAT_THROTTLE.toMillis(),
        FETCH_HEARTBEAT_THROTTLE.toMillis());
  }

  /** Fetch workers run activities only; the other slot kinds keep the SDK's default sizes. */
  private static CompositeTuner fetchTuner(BuildSlotSupplier fetchSlots) {
    return new CompositeTuner(
        new FixedSizeSlotSupplier<>(DEFAULT_SLOTS),
        fetchSlots,
        new FixedSizeSlotSupplier<>(DEFAULT_SLOTS),
        new FixedSizeSlotSupplier<>(DEFAULT_SLOTS));
  }
}
