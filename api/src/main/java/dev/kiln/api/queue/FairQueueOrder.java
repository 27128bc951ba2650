package dev.kiln.api.queue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The order in which Temporal hands out the runs waiting on one build queue, worked out from the
 * ledger, since Temporal does not list a queue's backlog. With fairness on, each priority key has a
 * backlog of its own, served before the next key's; within it, every task gets a pass when it is
 * queued, the lowest pass goes first (then the earliest queued), and the pass of a fairness key's
 * task is {@code 1000 / weight} beyond that key's previous one, but never below the pass of the
 * last task handed out. So a repository with thirty queued builds has them spread out, and another
 * repository's one build queued now lands next to the first of them, not behind all thirty.
 *
 * <p>Replaying every run that was queued while the oldest waiting one waited (those still waiting
 * and those handed out meanwhile) gives each its pass, as Temporal gave it. It is an estimate:
 * Temporal's memory of earlier passes, and runs waiting in their lane rather than in Temporal, are
 * not in the ledger.
 */
final class FairQueueOrder {

  /** Temporal's stride for a weight of 1. */
  static final long STRIDE = 1000;

  /**
   * A run on the build queue.
   *
   * @param fairnessKey its repository's ({@link dev.kiln.workflows.FairQueues#key})
   * @param priorityKey 1 (urgent) to 4 (low)
   * @param startedAt when a host took its fetch; {@code null} while it waits
   */
  record Entry(
      long runId,
      String fairnessKey,
      int priorityKey,
      double weight,
      Instant queuedAt,
      Instant startedAt) {

    boolean waiting() {
      return startedAt == null;
    }
  }

  private FairQueueOrder() {}

  /** The waiting runs among {@code entries}, the one Temporal hands out next first. */
  static List<Entry> waiting(List<Entry> entries) {
    Map<Long, Long> passes = replay(entries);
    return entries.stream()
        .filter(Entry::waiting)
        .sorted(
            Comparator.comparingInt(Entry::priorityKey)
                .thenComparingLong(e -> passes.get(e.runId()))
                .thenComparing(Entry::queuedAt)
                .thenComparingLong(Entry::runId))
        .toList();
  }

  /** Each run's pass: queued and handed out in the order the ledger saw it happen. */
  private static Map<Long, Long> replay(List<Entry> entries) {
    record Event(Instant at, boolean handedOut, Entry entry) {}
    List<Event> events = new ArrayList<>();
    for (Entry entry : entries) {
      events.add(new Event(entry.queuedAt(), false, entry));
      if (!entry.waiting()) {
        events.add(new Event(entry.startedAt(), true, entry));
      }
    }
    events.sort(
        Comparator.comparing(Event::at)
            .thenComparing(Event::handedOut)
            .thenComparingLong(e -> e.entry().runId()));
    Map<Integer, Backlog> backlogs = new HashMap<>();
    Map<Long, Long> passes = new HashMap<>();
    for (Event event : events) {
      Entry entry = event.entry();
      Backlog backlog = backlogs.computeIfAbsent(entry.priorityKey(), k -> new Backlog());
      if (event.handedOut()) {
        backlog.handedOut(passes.get(entry.runId()));
      } else {
        passes.put(entry.runId(), backlog.queue(entry.fairnessKey(), entry.weight()));
      }
    }
    return passes;
  }

  /** The backlog of one priority key: the pass handed out last, and each key's last pass. */
  private static final class Backlog {
    private long handedOutPass;
    private final Map<String, Long> lastPass = new HashMap<>();

    long queue(String key, double weight) {
      long stride = Math.max(1, (long) (STRIDE / weight));
      Long previous = lastPass.get(key);
      long pass = Math.max(handedOutPass, previous == null ? stride : previous + stride);
      lastPass.put(key, pass);
      return pass;
    }

    void handedOut(long pass) {
      handedOutPass = Math.max(handedOutPass, pass);
    }
  }
}
