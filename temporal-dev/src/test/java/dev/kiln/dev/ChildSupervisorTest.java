package dev.kiln.dev;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The supervisor with real child processes ({@code sleep}), killed as a crash would. */
class ChildSupervisorTest {

  private static final RestartBackoff.Policy QUICK =
      new RestartBackoff.Policy(
          Duration.ofMillis(10), Duration.ofMillis(40), 2, Duration.ofMinutes(1));

  private final AtomicReference<String> gaveUp = new AtomicReference<>();
  private final ChildSupervisor supervisor = new ChildSupervisor(QUICK, gaveUp::set);
  private final SleepingChild child = new SleepingChild();

  @AfterEach
  void stop() {
    supervisor.close();
    child.process.destroyForcibly();
  }

  @Test
  void aKilledChildIsStartedAgainAndWatchedAgain() {
    supervisor.watch(child);
    long first = child.process.pid();

    child.process.destroyForcibly();
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> child.restarts.get() == 1);
    assertThat(child.process.pid()).isNotEqualTo(first);
    assertThat(child.process.isAlive()).isTrue();

    child.process.destroyForcibly();
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> child.restarts.get() == 2);
    assertThat(child.process.isAlive()).isTrue();
    assertThat(gaveUp.get()).isNull();
  }

  @Test
  void aChildThatCannotBeRestartedIsGivenUpWithTheReason() {
    child.refuse = true;
    supervisor.watch(child);

    child.process.destroyForcibly();

    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> gaveUp.get() != null);
    assertThat(gaveUp.get())
        .startsWith("A sleeping child did not restart (no sleep today)")
        .contains("failed 2 times in a row within 60 s of starting: giving up");
    assertThat(child.attempts.get()).isEqualTo(2);
  }

  @Test
  void aChildStoppedAfterTheSupervisorClosedStaysStopped() {
    supervisor.watch(child);

    supervisor.close();
    child.process.destroyForcibly();

    Awaitility.await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(2))
        .until(() -> child.attempts.get() == 0);
    assertThat(gaveUp.get()).isNull();
  }

  private static final class SleepingChild implements SupervisedChild {

    volatile Process process = sleep();
    volatile boolean refuse;
    final AtomicInteger attempts = new AtomicInteger();
    final AtomicInteger restarts = new AtomicInteger();

    @Override
    public String name() {
      return "a sleeping child";
    }

    @Override
    public CompletableFuture<String> exited() {
      return process.onExit().thenApply(p -> ExitStatus.describe(p.exitValue()));
    }

    @Override
    public void restart() {
      attempts.incrementAndGet();
      if (refuse) {
        throw new IllegalStateException("no sleep today");
      }
      process = sleep();
      restarts.incrementAndGet();
    }

    private static Process sleep() {
      try {
        return new ProcessBuilder("sleep", "600").start();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
