package dev.kiln.api.queue;

import dev.kiln.api.config.KilnProperties;
import dev.kiln.api.queue.BuildHostRepository.HostCapacity;
import dev.kiln.api.queue.QueueRepository.ArchCounts;
import dev.kiln.api.temporal.BuildQueues;
import dev.kiln.workflows.TaskQueues;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Service;

/** Who waits for which architecture, and why: the ledger, the hosts' reports and Temporal. */
@Service
public class QueueService {

  /** Hosts report every ~5 s; three missed reports and a host's slots no longer count. */
  public static final Duration HOST_FRESHNESS = Duration.ofSeconds(15);

  private final QueueRepository queue;
  private final BuildHostRepository hosts;
  private final BuildQueues temporal;
  private final List<String> archs;

  public QueueService(
      QueueRepository queue,
      BuildHostRepository hosts,
      BuildQueues temporal,
      KilnProperties properties) {
    this.queue = queue;
    this.hosts = hosts;
    this.temporal = temporal;
    this.archs = properties.archs();
  }

  public QueueStatus status() {
    return new QueueStatus(archs.stream().map(this::archStatus).toList());
  }

  /** Why a queued run waits ("waiting for a free slot on x86_64: 2 builds ahead"). */
  public String waitingReason(long runId, String arch) {
    return WaitingReasons.reason(
        arch, temporal.pollerCount(arch), hostsServing(arch), queue.aheadOf(runId));
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
        counts.oldestRunId());
  }
}
