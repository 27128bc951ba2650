package dev.kiln.api.queue;

import dev.kiln.api.config.KilnProperties;
import dev.kiln.api.queue.BuildHostRepository.HostCapacity;
import dev.kiln.api.queue.QueueRepository.ArchCounts;
import dev.kiln.api.queue.QueueRepository.BuildQueue;
import dev.kiln.api.queue.QueueRepository.QueuedRun;
import dev.kiln.api.repos.RegisteredRepo;
import dev.kiln.api.repos.RepoStore;
import dev.kiln.api.temporal.BuildQueues;
import dev.kiln.workflows.FairQueues;
import dev.kiln.workflows.RunPriority;
import dev.kiln.workflows.TaskQueues;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Service;

/** Who waits for which architecture, and why: the ledger, the hosts' reports and Temporal. */
@Service
public class QueueService {

  /** Hosts report every ~5 s; three missed reports and a host's slots no longer count. */
  public static final Duration HOST_FRESHNESS = Duration.ofSeconds(15);

  /** Waiting runs the queue status lists per arch; the rest are counted in {@code queued}. */
  static final int MAX_LISTED = 50;

  private final QueueRepository queue;
  private final BuildHostRepository hosts;
  private final BuildQueues temporal;
  private final List<String> archs;
  private final RepoStore repos;

  public QueueService(
      QueueRepository queue,
      BuildHostRepository hosts,
      BuildQueues temporal,
      KilnProperties properties,
      RepoStore repos) {
    this.repos = repos;
    this.queue = queue;
    this.hosts = hosts;
    this.temporal = temporal;
    this.archs = properties.archs();
  }

  public QueueStatus status() {
    return new QueueStatus(archs.stream().map(this::archStatus).toList());
  }

  /**
   * Why a queued run at {@code position} ({@link #position}) waits ("waiting for a free slot on
   * x86_64: 2 builds ahead").
   */
  public String waitingReason(String arch, Optional<Integer> position) {
    int ahead = position.map(p -> p - 1).orElse(0);
    return WaitingReasons.reason(arch, temporal.pollerCount(arch), hostsServing(arch), ahead);
  }

  /**
   * Where a waiting run is on its build queue (its arch and labels), 1 being the run a host takes
   * next, as Temporal orders the queue ({@link FairQueueOrder}); empty when the run does not wait.
   */
  public Optional<Integer> position(long runId) {
    Optional<BuildQueue> buildQueue = queue.queueOfWaiting(runId);
    if (buildQueue.isEmpty()) {
      return Optional.empty();
    }
    List<WaitingRun> order = order(buildQueue.get());
    for (WaitingRun run : order) {
      if (run.runId() == runId) {
        return Optional.of(run.position());
      }
    }
    return Optional.empty();
  }

  /** The runs waiting on one build queue, the next first. */
  private List<WaitingRun> order(BuildQueue buildQueue) {
    List<QueuedRun> runs = queue.queue(buildQueue);
    Map<String, Double> weights =
        repos.fairnessWeights(runs.stream().map(QueuedRun::repo).distinct().toList());
    Map<Long, QueuedRun> byId = new HashMap<>();
    List<FairQueueOrder.Entry> entries = new ArrayList<>();
    for (QueuedRun run : runs) {
      byId.put(run.id(), run);
      entries.add(
          new FairQueueOrder.Entry(
              run.id(),
              FairQueues.key(run.repo()),
              RunPriority.temporalKeyOf(run.priority()),
              weights.getOrDefault(RegisteredRepo.key(run.repo()), FairQueues.DEFAULT_WEIGHT),
              run.queuedAt(),
              run.startedAt()));
    }
    List<FairQueueOrder.Entry> waiting = FairQueueOrder.waiting(entries);
    List<WaitingRun> order = new ArrayList<>();
    for (int i = 0; i < waiting.size(); i++) {
      QueuedRun run = byId.get(waiting.get(i).runId());
      order.add(new WaitingRun(run.id(), run.repo(), run.priority(), buildQueue.labels(), i + 1));
    }
    return order;
  }

  /** The first waiting runs of {@code arch}, each with its position on its build queue. */
  private List<WaitingRun> waiting(String arch) {
    List<WaitingRun> all = new ArrayList<>();
    for (BuildQueue buildQueue : queue.queuesWaitedOn(arch)) {
      all.addAll(order(buildQueue));
    }
    return all.stream()
        .sorted(Comparator.comparingInt(WaitingRun::position).thenComparingLong(WaitingRun::runId))
        .limit(MAX_LISTED)
        .toList();
  }

  /** Whether any worker serves {@code arch} now (see {@link WaitingReasons#served}). */
  public boolean served(String arch) {
    return WaitingReasons.served(temporal.pollerCount(arch), hostsServing(arch));
  }

  /** Whether a live host of {@code arch} that takes builds has every one of {@code labels}. */
  public boolean servedWithLabels(String arch, List<String> labels) {
    return labels.isEmpty() ? served(arch) : hosts.servesWithLabels(arch, labels, HOST_FRESHNESS);
  }

  private int hostsServing(String arch) {
    return hosts.capacity(arch, HOST_FRESHNESS).hosts();
  }

  private ArchQueueStatus archStatus(String arch) {
    ArchCounts counts = queue.counts(arch);
    HostCapacity capacity = hosts.capacity(arch, HOST_FRESHNESS);
    Optional<Integer> pollers = temporal.pollerCount(arch);
    return new ArchQueueStatus(
        arch,
        counts.queued(),
        counts.building(),
        pollers.orElse(null),
        pollers.isPresent()
            ? null
            : "Temporal did not say who polls " + TaskQueues.build(arch) + " (unreachable or slow)",
        capacity.freeSlots(),
        capacity.hosts(),
        capacity.paused(),
        counts.oldestWaitSeconds(),
        counts.oldestRunId(),
        counts.queued() == 0 ? List.of() : waiting(arch));
  }
}
