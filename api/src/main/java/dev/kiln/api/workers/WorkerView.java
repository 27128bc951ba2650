package dev.kiln.api.workers;

import dev.kiln.api.queue.BuildHostRepository.HostRow;
import java.time.Instant;
import java.util.List;

/**
 * One build host in {@code GET /workers}, as its last report left it.
 *
 * @param host the host's name (its {@code kiln.worker.host}, else its hostname)
 * @param labels configured labels and the toolchains the worker detected at start
 * @param busySlots builds holding a slot, from fetch to cleanup
 * @param cpu fraction of the machine's CPU in use
 * @param memory fraction of the machine's memory in use
 * @param version the Kiln version the worker runs; null from a worker that predates reporting it
 * @param state {@code live} when it reported in the last 15 s, else {@code lost}
 * @param draining it takes no new build: draining, or asked to drain and not yet told
 * @param pausedForResources it takes no build beyond its first because of CPU or memory
 * @param runs the runs it is building
 */
public record WorkerView(
    String host,
    List<String> archs,
    List<String> labels,
    int slots,
    int busySlots,
    double cpu,
    double memory,
    String version,
    Instant lastSeen,
    String state,
    boolean draining,
    boolean pausedForResources,
    List<Long> runs) {

  static WorkerView of(HostRow row) {
    return new WorkerView(
        row.name(),
        row.archs(),
        row.labels(),
        row.slots(),
        row.live() ? row.busy() : 0,
        row.cpu(),
        row.memory(),
        row.version(),
        row.lastSeen(),
        row.live() ? "live" : "lost",
        row.draining() || row.drainAsked(),
        row.live() && row.pausedForResources(),
        row.live() ? row.runs() : List.of());
  }
}
