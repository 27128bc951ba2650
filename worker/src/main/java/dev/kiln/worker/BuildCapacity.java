package dev.kiln.worker;

import dev.kiln.activities.BuildHost;
import dev.kiln.activities.api.KilnApiClient;
import dev.kiln.activities.build.WorkspaceJanitor;
import dev.kiln.activities.capacity.BuildSlots;
import dev.kiln.activities.capacity.Load;
import dev.kiln.activities.capacity.LoadLimits;
import dev.kiln.activities.capacity.MachineLoad;
import dev.kiln.activities.fetch.Workspaces;
import dev.kiln.workflows.KilnVersion;
import dev.kiln.workflows.internal.InternalBodies.HostAnswer;
import dev.kiln.workflows.internal.InternalBodies.HostStatus;
import dev.kiln.workflows.internal.InternalPaths;
import dev.kiln.workflows.rebuild.RebuildWorkflow;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A build host's capacity: its {@link BuildSlots}, the machine's load against the limits, and the
 * status it reports to the api ({@code POST /internal/hosts/<host>}, docs/internal-api.md) so that
 * {@code GET /build-jobs/queue/status} and waiting runs can say how many slots are free.
 */
final class BuildCapacity implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(BuildCapacity.class);

  /**
   * Finished runs' workspaces kept for their lanes' next builds, per build slot: a host that builds
   * a few branches in turn starts each from its last tree, with the disk of a few checkouts.
   */
  static final int WARM_WORKSPACES_PER_SLOT = 2;

  /** The CPU reading is the average over this period; polls are admitted against it. */
  static final Duration LOAD_PERIOD = Duration.ofSeconds(2);

  /**
   * Each report also asks which of the host's runs have ended, so a slot whose run ended without
   * its cleanup is free again within about this long after the api counts it ended (2 s after its
   * result). The api counts a host as gone once it has not reported for 15 s.
   */
  static final Duration REPORT_PERIOD = Duration.ofSeconds(2);

  private final BuildHost host;
  private final List<String> archs;
  private final LoadLimits limits;
  private final MachineLoad load;
  private final BuildSlots slots;
  private final Workspaces workspaces;
  private final WorkspaceJanitor janitor;
  private final KilnApiClient api;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread thread = new Thread(r, "kiln-build-capacity");
            thread.setDaemon(true);
            return thread;
          });
  private final List<String> labels;
  private final BooleanSupplier draining;
  private final Consumer<HostAnswer> answers;
  private String pausedFor;
  private boolean reportFailing;

  BuildCapacity(
      BuildHost host,
      List<String> archs,
      int slots,
      LoadLimits limits,
      Duration leaseIdle,
      MachineLoad load,
      KilnApiClient api,
      List<String> labels,
      BooleanSupplier draining,
      Consumer<HostAnswer> answers) {
    this.labels = List.copyOf(labels);
    this.draining = draining;
    this.answers = answers;
    this.host = host;
    this.archs = archs;
    this.limits = limits;
    this.load = load;
    this.api = api;
    this.slots = new BuildSlots(slots, leaseIdle, Clock.systemUTC(), this::loadAdmits);
    this.workspaces = new Workspaces(host.home(), slots * WARM_WORKSPACES_PER_SLOT);
    this.janitor = new WorkspaceJanitor(host, this.slots, workspaces);
  }

  /** The host's workspaces: the fetch makes them, cleanup hands them back, the janitor sweeps. */
  Workspaces workspaces() {
    return workspaces;
  }

  BuildSlots slots() {
    return slots;
  }

  WorkspaceJanitor janitor() {
    return janitor;
  }

  void start() {
    load.read();
    timer.scheduleWithFixedDelay(this::refresh, 0, LOAD_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    timer.scheduleWithFixedDelay(this::report, 0, REPORT_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    log.info(
        "build host {}: {} build slot(s) for {}; no build beyond the first while CPU or memory is"
            + " at or above {} / {}",
        host.name(),
        slots.size(),
        String.join(", ", archs),
        LoadLimits.percent(limits.maxCpu()),
        LoadLimits.percent(limits.maxMemory()));
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }

  /** The status body of {@code POST /internal/hosts/<host>}. */
  HostStatus status() {
    Load now = load.latest();
    return new HostStatus(
        archs,
        slots.size(),
        slots.busy(),
        round(now.cpu()),
        round(now.memory()),
        slots.heldBackByLoad(),
        janitor.leasedRunIds(),
        labels,
        KilnVersion.current(),
        draining.getAsBoolean(),
        host.queue());
  }

  private boolean loadAdmits() {
    return limits.admits(load.latest());
  }

  private void refresh() {
    try {
      Load now = load.read();
      logPauseChanges(limits.pauseReason(now));
      janitor.removeExpired(slots.expireAndGrant());
    } catch (RuntimeException e) {
      log.warn("could not refresh the build capacity: {}", e.toString());
    }
  }

  private void logPauseChanges(String reason) {
    if (reason != null && pausedFor == null) {
      log.info("build host {}: {}: no build beyond the first until it drops", host.name(), reason);
    } else if (reason == null && pausedFor != null) {
      log.info("build host {}: load under the limits again ({} passed)", host.name(), pausedFor);
    }
    pausedFor = reason;
  }

  private void report() {
    List<String> ended = List.of();
    try {
      HostAnswer answer = api.post(InternalPaths.host(host.name()), status(), HostAnswer.class);
      ended = endedRunKeys(answer);
      if (answer != null) {
        answers.accept(answer);
      }
      if (reportFailing) {
        log.info("build host {}: reporting its status to the api again", host.name());
      }
      reportFailing = false;
    } catch (RuntimeException e) {
      // The api may be restarting; the queue status shows this host's slots again once it is back.
      if (!reportFailing) {
        log.warn("build host {}: could not report its status: {}", host.name(), e.toString());
      }
      reportFailing = true;
    }
    try {
      janitor.sweep(ended);
    } catch (RuntimeException e) {
      log.warn("build host {}: could not sweep its workspaces: {}", host.name(), e.toString());
    }
  }

  /** The answer's {@code ended}: the reported runs the ledger has a result for. */
  private static List<String> endedRunKeys(HostAnswer answer) {
    List<String> keys = new ArrayList<>();
    if (answer != null && answer.ended() != null) {
      answer.ended().forEach(id -> keys.add(RebuildWorkflow.workflowId(id)));
    }
    return keys;
  }

  private static double round(double fraction) {
    return Math.round(fraction * 1000) / 1000.0;
  }
}
