package dev.kiln.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class WorkerLabelsTest {

  @Test
  void oneSetOfLabelsHasOneQueueWhateverTheOrderTheyWereAskedIn() {
    assertThat(TaskQueues.build("x86_64", List.of("jdk21", "big-memory")))
        .isEqualTo("kiln-build-x86_64+big-memory+jdk21")
        .isEqualTo(TaskQueues.build("x86_64", List.of("big-memory", "jdk21", "jdk21")));
  }

  @Test
  void aRunThatRequiresNoLabelGoesToItsArchQueue() {
    assertThat(TaskQueues.build("aarch64", List.of())).isEqualTo(TaskQueues.build("aarch64"));
  }

  @Test
  void aLabelCannotHoldTheSeparatorOfQueueNames() {
    assertThat(WorkerLabels.valid("jdk21+cargo")).isFalse();
    assertThat(WorkerLabels.valid("python3.11")).isTrue();
    assertThat(WorkerLabels.valid("Big-Memory")).isFalse();
    assertThat(WorkerLabels.valid("")).isFalse();
  }

  @Test
  void checkingNamesTheFieldTheIndexAndTheRule() {
    assertThatThrownBy(() -> WorkerLabels.check("requires", List.of("jdk21", "GPU")))
        .hasMessageStartingWith("requires[1]: \"GPU\" is not a label");
    assertThatThrownBy(
            () ->
                WorkerLabels.check(
                    "requires",
                    java.util.stream.IntStream.range(0, 17).mapToObj(i -> "l" + i).toList()))
        .hasMessage("requires: more than 16 labels");
  }

  @Test
  void checkingKeepsTheOrderAskedAndDropsRepeats() {
    assertThat(WorkerLabels.check("requires", List.of("jdk21", "big-memory", "jdk21")))
        .containsExactly("jdk21", "big-memory");
  }

  @Test
  void aHostSatisfiesARunWhenItHasEveryLabelTheRunRequires() {
    assertThat(WorkerLabels.satisfies(List.of("jdk21", "big-memory", "cmake"), List.of("jdk21")))
        .isTrue();
    assertThat(WorkerLabels.satisfies(List.of("jdk21"), List.of("jdk21", "big-memory"))).isFalse();
  }

  @Test
  void theNoWorkerSummaryNamesTheArchAndTheLabelsAsRequired() {
    assertThat(WorkerLabels.noWorkerSummary("x86_64", List.of("jdk21", "big-memory")))
        .isEqualTo("no worker for x86_64 with labels [jdk21, big-memory]");
  }
}
