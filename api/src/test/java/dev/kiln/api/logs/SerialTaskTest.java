package dev.kiln.api.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SerialTaskTest {

  private final ExecutorService executor = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    executor.shutdownNow();
  }

  @Test
  void wakesDuringARunCoalesceIntoOneMoreRunAndRunsNeverOverlap() throws Exception {
    CountDownLatch firstRunStarted = new CountDownLatch(1);
    CountDownLatch releaseFirstRun = new CountDownLatch(1);
    AtomicInteger runs = new AtomicInteger();
    AtomicInteger concurrent = new AtomicInteger();
    AtomicInteger maxConcurrent = new AtomicInteger();
    SerialTask task =
        new SerialTask(
            executor,
            () -> {
              maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
              if (runs.incrementAndGet() == 1) {
                firstRunStarted.countDown();
                await(releaseFirstRun);
              }
              concurrent.decrementAndGet();
            });

    task.wake();
    assertThat(firstRunStarted.await(10, TimeUnit.SECONDS)).isTrue();
    for (int i = 0; i < 100; i++) {
      task.wake();
    }
    releaseFirstRun.countDown();

    // two runs, and no wrong third one showing up for a while after
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .during(Duration.ofMillis(200))
        .until(() -> runs.get() == 2);
    assertThat(maxConcurrent.get()).isEqualTo(1);
  }

  @Test
  void aWakeAfterARunEndedRunsItAgain() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    SerialTask task = new SerialTask(Runnable::run, runs::incrementAndGet);

    task.wake();
    task.wake();

    assertThat(runs.get()).isEqualTo(2);
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
