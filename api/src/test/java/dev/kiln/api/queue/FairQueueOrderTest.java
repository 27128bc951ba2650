package dev.kiln.api.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.queue.FairQueueOrder.Entry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FairQueueOrderTest {

  private static final Instant T0 = Instant.parse("2026-12-02T20:00:00Z");

  private final List<Entry> entries = new ArrayList<>();
  private long nextId = 1;
  private int second;

  @Test
  void oneRepositorysRunsWaitInTheOrderTheyWereQueued() {
    List<Long> ids = List.of(queue("a"), queue("a"), queue("a"));

    assertThat(order()).containsExactlyElementsOf(ids);
  }

  @Test
  void anotherRepositorysOneRunQueuedBehindThirtyGoesSecond() {
    long holder = queue("h");
    handOut(holder);
    List<Long> thirty = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      thirty.add(queue("a"));
    }
    long single = queue("b");

    List<Long> order = order();
    assertThat(order.get(0)).isEqualTo(thirty.get(0));
    assertThat(order.get(1)).as("only the first of the thirty goes before it").isEqualTo(single);
    assertThat(order.subList(2, 31)).containsExactlyElementsOf(thirty.subList(1, 30));
  }

  @Test
  void aRunQueuedAfterTheOtherRepositorysFirstWasHandedOutGoesNext() {
    List<Long> thirty = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      thirty.add(queue("a"));
    }
    handOut(thirty.get(0));
    handOut(thirty.get(1));
    long single = queue("b");

    assertThat(order().get(0)).isEqualTo(single);
  }

  @Test
  void aRepositoryWithTwiceTheWeightGetsTwiceTheShare() {
    long a1 = queue("a", 2, 3);
    long a2 = queue("a", 2, 3);
    long a3 = queue("a", 2, 3);
    long a4 = queue("a", 2, 3);
    long c1 = queue("c", 1, 3);
    long c2 = queue("c", 1, 3);
    long c3 = queue("c", 1, 3);

    assertThat(order()).containsExactly(a1, a2, c1, a3, a4, c2, c3);
  }

  @Test
  void aMoreUrgentRunGoesFirstWhateverItsRepositoryHasQueued() {
    long normal = queue("a");
    queue("b");
    long urgent = queue("a", 1, 1);
    long low = queue("c", 1, 4);

    List<Long> order = order();
    assertThat(order.get(0)).isEqualTo(urgent);
    assertThat(order.get(1)).isEqualTo(normal);
    assertThat(order.get(3)).isEqualTo(low);
  }

  private long queue(String repo) {
    return queue(repo, 1, 3);
  }

  private long queue(String repo, double weight, int priorityKey) {
    long id = nextId++;
    entries.add(new Entry(id, repo, priorityKey, weight, T0.plusSeconds(second++), null));
    return id;
  }

  private void handOut(long runId) {
    Entry entry = entries.stream().filter(e -> e.runId() == runId).findFirst().orElseThrow();
    entries.set(
        entries.indexOf(entry),
        new Entry(
            runId,
            entry.fairnessKey(),
            entry.priorityKey(),
            entry.weight(),
            entry.queuedAt(),
            T0.plusSeconds(second++)));
  }

  private List<Long> order() {
    return FairQueueOrder.waiting(entries).stream().map(Entry::runId).toList();
  }
}
