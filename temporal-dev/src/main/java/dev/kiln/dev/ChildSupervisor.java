package dev.kiln.dev;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restarts the dev stack's server processes (the Temporal dev server, PostgreSQL) when they die, on
 * the same ports and files, so that the api and the worker, which only see a server away for a few
 * seconds, go on and builds in flight finish. Each restart is logged at WARN with how the process
 * ended; restarts back off ({@link RestartBackoff}), and a child that keeps dying at once is given
 * up: {@code onGiveUp} gets the reason and the stack stops, as it did before supervision.
 *
 * <p>{@link #close} comes before the stack stops its children, so that a deliberate stop is never
 * taken for a death.
 */
final class ChildSupervisor implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ChildSupervisor.class);

  private final RestartBackoff.Policy policy;
  private final Consumer<String> onGiveUp;
  private final LongSupplier nanoTime;
  private final ScheduledExecutorService restarts;
  private volatile boolean closed;

  ChildSupervisor(RestartBackoff.Policy policy, Consumer<String> onGiveUp) {
    this(policy, onGiveUp, System::nanoTime);
  }

  ChildSupervisor(RestartBackoff.Policy policy, Consumer<String> onGiveUp, LongSupplier nanoTime) {
    this.policy = policy;
    this.onGiveUp = onGiveUp;
    this.nanoTime = nanoTime;
    this.restarts =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "kiln-dev-supervisor");
              thread.setDaemon(true);
              return thread;
            });
  }

  /** Watches {@code child}, which runs now. */
  void watch(SupervisedChild child) {
    watch(new Watched(child, new RestartBackoff(policy)));
  }

  private void watch(Watched watched) {
    long startedAt = nanoTime.getAsLong();
    watched
        .child()
        .exited()
        .thenAccept(
            how -> {
              if (closed) {
                return;
              }
              Duration upFor = Duration.ofNanos(nanoTime.getAsLong() - startedAt);
              scheduleRestart(watched, "exited unexpectedly (" + how + ")", upFor);
            });
  }

  private void scheduleRestart(Watched watched, String what, Duration upFor) {
    SupervisedChild child = watched.child();
    Optional<Duration> delay = watched.backoff().afterFailure(upFor);
    if (delay.isEmpty()) {
      giveUp(watched, what);
      return;
    }
    log.warn(
        "{} {} after {} s; restarting it on the same data in {} ms (restart {} of at most {} in a"
            + " row)",
        capitalized(child.name()),
        what,
        upFor.toSeconds(),
        delay.get().toMillis(),
        watched.backoff().failuresInARow(),
        policy.maxRestartsInARow());
    try {
      restarts.schedule(() -> restart(watched), delay.get().toMillis(), TimeUnit.MILLISECONDS);
    } catch (RuntimeException rejected) {
      // closed meanwhile: the stack is stopping
      log.debug("No restart of {}: {}", child.name(), rejected.toString());
    }
  }

  private void restart(Watched watched) {
    if (closed) {
      return;
    }
    SupervisedChild child = watched.child();
    long began = nanoTime.getAsLong();
    try {
      child.restart();
    } catch (RuntimeException e) {
      if (closed) {
        return;
      }
      scheduleRestart(watched, "did not restart (" + e.getMessage() + ")", Duration.ZERO);
      return;
    }
    log.warn(
        "{} is back ({} ms to restart)",
        capitalized(child.name()),
        Duration.ofNanos(nanoTime.getAsLong() - began).toMillis());
    watch(watched);
  }

  private void giveUp(Watched watched, String what) {
    SupervisedChild child = watched.child();
    String output = child.recentOutput();
    String reason =
        capitalized(child.name())
            + " "
            + what
            + ", and it failed "
            + policy.maxRestartsInARow()
            + " times in a row within "
            + policy.stableAfter().toSeconds()
            + " s of starting: giving up"
            + (output.isEmpty() ? "" : ". Its last output:\n" + output);
    log.error("{}", reason);
    onGiveUp.accept(reason);
  }

  private static String capitalized(String name) {
    return name.isEmpty() ? name : Character.toUpperCase(name.charAt(0)) + name.substring(1);
  }

  /**
   * No restart from now on; a restart under way finishes, and its child is stopped with the rest.
   */
  @Override
  public void close() {
    closed = true;
    restarts.shutdownNow();
  }

  private record Watched(SupervisedChild child, RestartBackoff backoff) {}
}
