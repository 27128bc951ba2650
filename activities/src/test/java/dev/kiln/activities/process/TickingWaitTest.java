package dev.kiln.activities.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TickingWaitTest {

  private final AtomicInteger ticks = new AtomicInteger();
  private final AtomicInteger timeouts = new AtomicInteger();
  private final AtomicInteger interrupts = new AtomicInteger();

  @Test
  void timeoutFiresOnceAndTheWaitGoesOnUntilDone() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    TickingWait waiting =
        new TickingWait(
            ticks::incrementAndGet,
            Duration.ofMillis(20),
            () -> {
              timeouts.incrementAndGet();
              CompletableFuture.delayedExecutor(200, java.util.concurrent.TimeUnit.MILLISECONDS)
                  .execute(() -> done.complete(null));
            },
            interrupts::incrementAndGet);

    waiting.await(done, Duration.ofMillis(50));

    assertThat(timeouts.get()).isEqualTo(1);
    assertThat(ticks.get()).isGreaterThanOrEqualTo(5);
  }

  @Test
  void interruptIsReportedAndDoesNotEndTheWait() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    TickingWait waiting =
        new TickingWait(
            ticks::incrementAndGet,
            Duration.ofSeconds(10),
            timeouts::incrementAndGet,
            () -> {
              interrupts.incrementAndGet();
              done.complete(null);
            });

    Thread.currentThread().interrupt();
    waiting.await(done, null);

    assertThat(waiting.interrupted()).isTrue();
    assertThat(interrupts.get()).isEqualTo(1);
    assertThat(Thread.currentThread().isInterrupted()).as("flag left to the caller").isFalse();
  }

  @Test
  void tickExceptionEndsTheWait() {
    TickingWait waiting =
        new TickingWait(
            () -> {
              throw new IllegalStateException("heartbeat failed");
            },
            Duration.ofMillis(10),
            timeouts::incrementAndGet,
            interrupts::incrementAndGet);

    assertThatThrownBy(() -> waiting.await(new CompletableFuture<>(), null))
        .hasMessage("heartbeat failed");
  }

  @Test
  void throughFailuresATickThatThrowsIsCalledAgainUntilDone() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    TickingWait waiting =
        new TickingWait(
            () -> {
              if (ticks.incrementAndGet() == 5) {
                done.complete(null);
              }
              throw new IllegalStateException("cancel requested");
            },
            Duration.ofMillis(10),
            timeouts::incrementAndGet,
            interrupts::incrementAndGet);

    waiting.awaitTickingThroughFailures(done);

    assertThat(ticks.get()).isEqualTo(5);
  }

  @Test
  void intervalMustBePositive() {
    assertThatThrownBy(() -> new TickingWait(() -> {}, Duration.ZERO, () -> {}, () -> {}))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
