package dev.kiln.worker;

import dev.kiln.activities.BuildHost;
import dev.kiln.activities.api.ApiFetchStarts;
import dev.kiln.activities.api.ApiSubmissionSource;
import dev.kiln.activities.api.KilnApiClient;
import dev.kiln.activities.build.BuildActivitiesImpl;
import dev.kiln.activities.capacity.MachineLoad;
import dev.kiln.activities.culprit.CommitHistoryActivitiesImpl;
import dev.kiln.activities.fetch.CommitHistory;
import dev.kiln.activities.fetch.FetchActivitiesImpl;
import dev.kiln.activities.fetch.GitFetcher;
import dev.kiln.activities.fetch.MirrorCache;
import dev.kiln.activities.fetch.RemoteAccess;
import dev.kiln.activities.fetch.RemoteHeads;
import dev.kiln.activities.fetch.SubmissionFetcher;
import dev.kiln.activities.ledger.LedgerActivitiesImpl;
import dev.kiln.activities.logs.StepLogs;
import dev.kiln.activities.retention.RetentionActivitiesImpl;
import dev.kiln.activities.watch.RemoteHeadsActivitiesImpl;
import dev.kiln.activities.watch.WatchActivitiesImpl;
import dev.kiln.workflows.TaskQueues;
import dev.kiln.workflows.WorkerLabels;
import dev.kiln.workflows.internal.InternalBodies.HostAnswer;
import dev.kiln.workflows.internal.InternalBodies.LabelledQueue;
import dev.kiln.workflows.lane.LaneWorkflowImpl;
import dev.kiln.workflows.rebuild.RebuildWorkflowImpl;
import dev.kiln.workflows.retention.RetentionWorkflowImpl;
import dev.kiln.workflows.watch.WatchWorkflowImpl;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import io.temporal.worker.tuning.CompositeTuner;
import io.temporal.worker.tuning.FixedSizeSlotSupplier;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import sun.misc.Signal;

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
   * A cancel or supersede reaches a running command at once through the run's stop activity (the
   * workflow's cancel-pushed version); the heartbeat shows that the host is alive and brings the
   * cancel of a run recorded before that version, or one whose stop went astray. Every 500 ms is
   * half the heartbeat calls of 250 ms (when the heartbeat carried every cancel), each about 5 ms
   * of the Temporal server's and this JVM's CPU, while a Temporal server back within about three
   * seconds still hears from the host before the 5 s heartbeat timeout (once a second would leave
   * it about two, less than the dev server's restart may take). A build step's activity sends none
   * in its first 500 ms ({@code QuietStart}): no longer than this throttle, so the longest stretch
   * without a heartbeat, counted from the activity's start, is still the throttle's.
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

  /** How often a draining host looks whether its builds are done. */
  static final Duration DRAIN_CHECK_PERIOD = Duration.ofSeconds(1);

  private final WorkerFactory factory;
  private final WorkflowClient client;
  private final WorkerProperties properties;
  private final KilnApiClient api;
  private final StepLogs logs;
  private final BuildHost host;
  private final RemoteAccess remotes;
  private final RetentionScheduleRegistrar retention;
  private final ConfigurableApplicationContext context;
  private final HostDrain drain;
  private final ScheduledExecutorService drainWatch =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread thread = new Thread(r, "kiln-drain-watch");
            thread.setDaemon(true);
            return thread;
          });
  private BuildCapacity capacity;
  private BuildPollers pollers;
  private BuildSlotSupplier fetchSlots;
  private GitFetcher fetcher;
  private SubmissionFetcher submissions;
  private WorkerFactory watchFactory;
  private List<String> labels = List.of();
  private final AtomicBoolean drained = new AtomicBoolean();
  private volatile boolean running;

  WorkerRegistrar(
      WorkerFactory factory,
      WorkflowClient client,
      WorkerProperties properties,
      KilnApiClient api,
      StepLogs logs,
      BuildHost host,
      RemoteAccess remotes,
      RetentionScheduleRegistrar retention,
      ConfigurableApplicationContext context) {
    this.factory = factory;
    this.client = client;
    this.properties = properties;
    this.api = api;
    this.logs = logs;
    this.host = host;
    this.remotes = remotes;
    this.retention = retention;
    this.context = context;
    this.drain = new HostDrain(properties.worker().drainTimeout());
  }

  @Override
  public void start() {
    if (properties.worker().runsControl()) {
      registerControl();
      factory.start();
    }
    if (properties.worker().runsBuilds()) {
      registerBuild();
    }
    running = true;
  }

  @Override
  public void stop() {
    drainWatch.shutdownNow();
    // Running commands get the grace period to stop (their activities kill their groups).
    Duration grace = properties.worker().gracePeriod().plusSeconds(5);
    if (pollers != null) {
      pollers.shutdown(grace);
    }
    if (watchFactory != null) {
      watchFactory.shutdownNow();
    }
    factory.shutdown();
    factory.awaitTermination(grace.toSeconds(), TimeUnit.SECONDS);
    if (capacity != null) {
      capacity.close();
    }
    running = false;
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /**
   * Stop taking builds: every fetch queue stops polling at once, the builds this host holds run on
   * until they end or the drain timeout passes.
   */
  void startDraining(HostDrain.Source source) {
    if (pollers == null) {
      return;
    }
    if (drain.start(source, Instant.now())) {
      pollers.closeAllFetch();
      log.info(
          "build host {}: draining ({}): no new builds; the {} running finish until {}",
          host.name(),
          source == HostDrain.Source.API ? "asked through the api" : "SIGTERM",
          capacity.slots().busy(),
          drain.deadline());
    } else if (source == HostDrain.Source.SIGNAL && properties.worker().drainExits()) {
      log.warn("build host {}: SIGTERM again: stopping its builds now", host.name());
      stopBuildsAndExit();
    }
  }

  private void onAnswer(HostAnswer answer) {
    if (Boolean.TRUE.equals(answer.drain())) {
      startDraining(HostDrain.Source.API);
    } else if (Boolean.FALSE.equals(answer.drain())
        && drain.source() == HostDrain.Source.API
        && drain.withdraw()) {
      drained.set(false);
      log.info("build host {}: drain withdrawn: taking builds again", host.name());
      pollers.openHost();
      archQueues().forEach(pollers::openFetch);
    }
    if (!drain.draining() && answer.wanted() != null) {
      pollers.pollLabelled(labelledQueues(answer.wanted()), archQueues());
    }
  }

  /** The labelled queues of the answer that this host serves: its arch, all of the labels. */
  private Set<String> labelledQueues(List<LabelledQueue> wanted) {
    Set<String> queues = new TreeSet<>();
    List<String> archs = properties.worker().effectiveArchs();
    for (LabelledQueue queue : wanted) {
      if (queue.labels() != null
          && !queue.labels().isEmpty()
          && archs.contains(queue.arch())
          && WorkerLabels.satisfies(labels, queue.labels())) {
        queues.add(TaskQueues.build(queue.arch(), queue.labels()));
      }
    }
    return queues;
  }

  private Set<String> archQueues() {
    Set<String> queues = new TreeSet<>();
    properties.worker().effectiveArchs().forEach(arch -> queues.add(TaskQueues.build(arch)));
    return queues;
  }

  private void watchDrain() {
    try {
      switch (drain.step(capacity.slots().busy(), Instant.now())) {
        case CARRY_ON -> {}
        case DRAINED -> drained();
        case DEADLINE_PASSED -> {
          log.warn(
              "build host {}: drain timeout ({}) passed with {} build(s) running: stopping them;"
                  + " their runs restart on another host",
              host.name(),
              properties.worker().drainTimeout(),
              capacity.slots().busy());
          stopBuildsAndExit();
        }
      }
    } catch (RuntimeException e) {
      log.warn("build host {}: could not check its drain: {}", host.name(), e.toString());
    }
  }

  private void drained() {
    if (!drained.compareAndSet(false, true)) {
      return;
    }
    if (properties.worker().drainExits()) {
      log.info("build host {}: drained: no build left; the worker exits", host.name());
      exit();
    } else {
      log.info(
          "build host {}: drained: no build left; idle until the drain is withdrawn"
              + " (DELETE /workers/{}/drain)",
          host.name(),
          host.name());
    }
  }

  private void stopBuildsAndExit() {
    pollers.stopHostNow(properties.worker().gracePeriod().plusSeconds(5));
    if (properties.worker().drainExits()) {
      drained.set(true);
      exit();
    } else {
      drained.set(true);
    }
  }

  /** Closes the context from a thread of its own (closing it stops this one), then exits 0. */
  private void exit() {
    Thread exit =
        new Thread(() -> System.exit(SpringApplication.exit(context, () -> 0)), "kiln-drain-exit");
    exit.setDaemon(false);
    exit.start();
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
    labels = labels(config);
    BuildActivitiesImpl.killLeftoverProcessGroups(host);
    capacity =
        new BuildCapacity(
            host,
            config.effectiveArchs(),
            config.effectiveSlots(),
            config.loadLimits(),
            config.slotLeaseIdle(),
            MachineLoad.ofThisMachine(),
            api,
            labels,
            drain::draining,
            this::onAnswer);
    capacity.janitor().removeLeftoversAtStart();
    // The fetcher makes its workspaces in the host's Workspaces, so they go back to their lanes.
    fetcher =
        new GitFetcher(host.home(), capacity.workspaces(), properties.repos().policy(), remotes);
    submissions = new SubmissionFetcher(new ApiSubmissionSource(api), capacity.workspaces());
    // One supplier for every fetch queue: the archs and label sets share this host's slots.
    fetchSlots = new BuildSlotSupplier(capacity.slots());
    pollers =
        new BuildPollers(
            client, host.queue(), this::registerFetch, this::registerHost, Clock.systemUTC());
    pollers.openHost();
    archQueues().forEach(pollers::openFetch);
    // Watched repositories are listed by build workers, which hold the repository credentials;
    // never behind the build slots, so a poll does not wait for a build to end.
    // A factory of its own: the control role's has started by now and takes no new worker.
    watchFactory = WorkerFactory.newInstance(client);
    Worker watch =
        watchFactory.newWorker(
            TaskQueues.WATCH,
            WorkerOptions.newBuilder()
                .setMaxConcurrentActivityExecutionSize(CONCURRENT_REMOTE_LISTINGS)
                .build());
    watch.registerActivitiesImplementations(
        new RemoteHeadsActivitiesImpl(
            new RemoteHeads(properties.repos().policy(), remotes, REMOTE_LISTING_TIMEOUT)),
        // the culprit finder's commit lists come from this host's mirrors, updated first
        new CommitHistoryActivitiesImpl(
            new CommitHistory(
                properties.repos().policy(),
                new MirrorCache(host.home(), GitFetcher.DEFAULT_IO_TIMEOUT, remotes))));
    watchFactory.start();
    log.info("worker role build: polling {} for watched repositories", TaskQueues.WATCH);
    capacity.start();
    drainWatch.scheduleWithFixedDelay(
        this::watchDrain,
        DRAIN_CHECK_PERIOD.toMillis(),
        DRAIN_CHECK_PERIOD.toMillis(),
        TimeUnit.MILLISECONDS);
    if (config.drainExits()) {
      // A worker process of its own drains on SIGTERM and exits 0 once drained.
      Signal.handle(new Signal("TERM"), signal -> startDraining(HostDrain.Source.SIGNAL));
    }
    log.info(
        "build host {}: labels [{}]; polling {}",
        host.name(),
        String.join(", ", labels),
        host.queue());
    // These two decide how soon a lost host is noticed, and how soon a cancel whose stop went
    // astray reaches a command.
    log.info(
        "build host {}: commands heartbeat every {} ms, sent to Temporal at most every {} ms;"
            + " fetches at most every {} ms",
        host.name(),
        BuildActivitiesImpl.COMMAND_HEARTBEAT.toMillis(),
        HOST_HEARTBEAT_THROTTLE.toMillis(),
        FETCH_HEARTBEAT_THROTTLE.toMillis());
  }

  /** Configured labels plus the toolchains found on this machine, each once, sorted. */
  private static List<String> labels(WorkerProperties.Worker config) {
    Set<String> all = new TreeSet<>(config.labels());
    if (config.detectToolchains()) {
      all.addAll(ToolchainDetector.detect());
    }
    return List.copyOf(all);
  }

  private void registerFetch(WorkerFactory fetchFactory, String queue) {
    Worker fetch =
        fetchFactory.newWorker(
            queue,
            WorkerOptions.newBuilder()
                .setWorkerTuner(fetchTuner(fetchSlots))
                // One poll per queue at a time: every poll holds a build slot while it waits, and
                // the host's other fetch queues (archs, label sets) need one to poll too.
                .setMaxConcurrentActivityTaskPollers(1)
                .setMaxHeartbeatThrottleInterval(FETCH_HEARTBEAT_THROTTLE)
                .build());
    fetch.registerActivitiesImplementations(
        new FetchActivitiesImpl(
            host, logs, capacity.slots(), new ApiFetchStarts(api), fetcher, submissions, labels));
    log.info("worker role build: polling {} while a build slot is free", queue);
  }

  /**
   * Never throttled by the build slots: these belong to builds that hold one, and a task left
   * waiting here 30 s makes the workflow think the host is lost (schedule-to-start).
   */
  private void registerHost(WorkerFactory hostFactory, String queue) {
    int slots = properties.worker().effectiveSlots();
    Worker own =
        hostFactory.newWorker(
            queue,
            WorkerOptions.newBuilder()
                .setMaxConcurrentActivityExecutionSize(slots * 2 + HOST_QUEUE_HEADROOM)
                .setMaxHeartbeatThrottleInterval(HOST_HEARTBEAT_THROTTLE)
                .build());
    own.registerActivitiesImplementations(
        new BuildActivitiesImpl(host, logs, api, capacity.slots(), capacity.workspaces()));
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
