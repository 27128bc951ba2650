package dev.kiln.api.metrics;

import dev.kiln.api.queue.BuildHostRepository;
import dev.kiln.api.queue.BuildHostRepository.HostSlots;
import dev.kiln.api.queue.QueueService;
import dev.kiln.api.runs.RunRecord;
import dev.kiln.api.runs.RunRepository;
import dev.kiln.workflows.Phase;
import dev.kiln.workflows.Result;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Kiln's build metrics (docs/metrics.md), recorded where the api learns the facts: the ledger's
 * phase and terminal writes, log ingest, build hosts' reports and cancel requests.
 *
 * <p>Run and queue durations come from the ledger's own timestamps (the database's clock), so they
 * are right whichever api instance records them. A phase's duration and a cancel's latency are
 * measured by this instance's clock between two writes it saw; a phase or a cancel whose start
 * another instance (or this one before a restart) saw is not measured.
 */
@Component
public class BuildMetrics {

  private static final Duration SHORTEST = Duration.ofMillis(100);
  private static final Duration LONGEST = Duration.ofHours(3);

  private final MeterRegistry registry;
  private final RunRepository runs;
  private final BuildHostRepository hosts;
  private final Counter logBytes;
  private final Timer cancelLatency;
  private final MultiGauge building;
  private final MultiGauge slots;
  private final Set<String> archsSeen = ConcurrentHashMap.newKeySet();
  private final Map<Long, PhaseStart> phases = new ConcurrentHashMap<>();
  private final Map<Long, Long> cancelRequested = new ConcurrentHashMap<>();

  private record PhaseStart(Phase phase, long nanos) {}

  public BuildMetrics(MeterRegistry registry, RunRepository runs, BuildHostRepository hosts) {
    this.registry = registry;
    this.runs = runs;
    this.hosts = hosts;
    this.logBytes =
        Counter.builder("kiln.log.bytes")
            .description("Bytes of build log stored")
            .register(registry);
    this.cancelLatency =
        histogram(Timer.builder("kiln.cancel.latency"))
            .description("From a cancel request to the run's terminal cancelled write")
            .register(registry);
    this.building =
        MultiGauge.builder("kiln.runs.building")
            .description("Runs past the queue and not yet ended, by arch")
            .register(registry);
    this.slots =
        MultiGauge.builder("kiln.worker.slots")
            .description("Build slots of the live build hosts, busy or free")
            .register(registry);
  }

  /** The gauges start from the ledger once it is migrated and the api takes requests. */
  @EventListener(ApplicationReadyEvent.class)
  public void start() {
    refreshBuilding();
    refreshSlots();
  }

  /**
   * A run moved from {@code before}'s phase to {@code after}'s: the phase it left is measured, and
   * the queue wait when this move stamped the run's start.
   */
  public void phaseChanged(RunRecord before, RunRecord after) {
    long now = registry.config().clock().monotonicTime();
    if (before.startedAt() == null && after.startedAt() != null) {
      Duration wait = between(after.queuedAt(), after.startedAt());
      queueWait(after.arch()).record(wait);
      phaseDuration(Phase.QUEUED).record(wait);
    }
    PhaseStart left =
        after.phase() == Phase.DONE
            ? phases.remove(after.id())
            : phases.put(after.id(), new PhaseStart(after.phase(), now));
    if (left != null && left.phase() != after.phase()) {
      phaseDuration(left.phase()).record(Duration.ofNanos(now - left.nanos()));
    }
    refreshBuilding();
  }

  /** The run's first terminal write happened; {@code run} is the row after it. */
  public void runEnded(RunRecord run) {
    long now = registry.config().clock().monotonicTime();
    String result = run.result().wireName();
    registry.counter("kiln.runs", Tags.of("result", result, "arch", run.arch())).increment();
    if (run.finishedAt() != null) {
      histogram(Timer.builder("kiln.run.duration"))
          .description("From a run's queueing to its end")
          .tags("result", result, "arch", run.arch())
          .register(registry)
          .record(between(run.queuedAt(), run.finishedAt()));
    }
    PhaseStart last = phases.remove(run.id());
    if (last != null) {
      phaseDuration(last.phase()).record(Duration.ofNanos(now - last.nanos()));
    }
    Long asked = cancelRequested.remove(run.id());
    if (asked != null && run.result() == Result.CANCELLED) {
      cancelLatency.record(Duration.ofNanos(now - asked));
    }
    refreshBuilding();
  }

  /** A caller asked to cancel a building run. */
  public void cancelRequested(long runId) {
    cancelRequested.putIfAbsent(runId, registry.config().clock().monotonicTime());
  }

  /** Bytes of log newly stored (retried uploads of stored chunks do not count). */
  public void logStored(long bytes) {
    logBytes.increment(bytes);
  }

  /** A build host reported its slots: the gauge shows every live host's. */
  public void hostReported() {
    refreshSlots();
  }

  private void refreshBuilding() {
    Map<String, Long> counts = runs.buildingByArch();
    archsSeen.addAll(counts.keySet());
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    for (String arch : archsSeen) {
      rows.add(MultiGauge.Row.of(Tags.of("arch", arch), counts.getOrDefault(arch, 0L)));
    }
    building.register(rows, true);
  }

  private void refreshSlots() {
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    for (HostSlots host : hosts.liveSlots(QueueService.HOST_FRESHNESS)) {
      rows.add(MultiGauge.Row.of(Tags.of("host", host.name(), "state", "busy"), host.busy()));
      rows.add(
          MultiGauge.Row.of(
              Tags.of("host", host.name(), "state", "free"),
              Math.max(host.slots() - host.busy(), 0)));
    }
    slots.register(rows, true);
  }

  private Timer queueWait(String arch) {
    return histogram(Timer.builder("kiln.queue.wait"))
        .description("From a run's queueing to its first phase on a build host")
        .tag("arch", arch)
        .register(registry);
  }

  private Timer phaseDuration(Phase phase) {
    return histogram(Timer.builder("kiln.phase.duration"))
        .description("Time a run spent in one phase")
        .tag("phase", phase.wireName())
        .register(registry);
  }

  /** Buckets from 100 ms to 3 h: builds are seconds to hours, not the default's milliseconds. */
  private static Timer.Builder histogram(Timer.Builder builder) {
    return builder
        .publishPercentileHistogram()
        .minimumExpectedValue(SHORTEST)
        .maximumExpectedValue(LONGEST);
  }

  private static Duration between(Instant from, Instant to) {
    Duration duration = Duration.between(from, to);
    return duration.isNegative() ? Duration.ZERO : duration;
  }
}
