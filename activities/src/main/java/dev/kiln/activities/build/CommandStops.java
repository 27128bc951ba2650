package dev.kiln.activities.build;

import dev.kiln.activities.RunAttempt;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The commands running on this host, by run (its workflow id), so that a run's stop activity
 * reaches them at once ({@code BuildActivities#stop}). A stop that comes before a command of the
 * run has started (the sandbox is still being made) stops that command as it starts: the run is
 * remembered as stopped until its cleanup, or until many later runs have been stopped.
 */
final class CommandStops {

  /** Runs remembered as stopped, oldest first dropped: a cleanup normally forgets its run. */
  static final int REMEMBERED = 1000;

  private final Map<String, Set<Runnable>> running = new HashMap<>();
  private final Set<String> stopped = new LinkedHashSet<>();

  /**
   * Registers what stops one command of run {@code runKey}; runs it at once when the run was
   * stopped already. {@code stop} must not block.
   */
  RunAttempt.Registration register(String runKey, Runnable stop) {
    synchronized (this) {
      if (!stopped.contains(runKey)) {
        running.computeIfAbsent(runKey, key -> new LinkedHashSet<>()).add(stop);
        return () -> unregister(runKey, stop);
      }
    }
    stop.run();
    return () -> {};
  }

  /**
   * Stops every command of run {@code runKey} registered now, and those registered until it is
   * forgotten.
   *
   * @return how many were running
   */
  int stop(String runKey) {
    List<Runnable> stops;
    synchronized (this) {
      stopped.add(runKey);
      if (stopped.size() > REMEMBERED) {
        stopped.remove(stopped.iterator().next());
      }
      Set<Runnable> registered = running.remove(runKey);
      stops = registered == null ? List.of() : new ArrayList<>(registered);
    }
    stops.forEach(Runnable::run);
    return stops.size();
  }

  /** The run's workspace is being put away: nothing of it starts any more. */
  synchronized void forget(String runKey) {
    stopped.remove(runKey);
  }

  private synchronized void unregister(String runKey, Runnable stop) {
    Set<Runnable> registered = running.get(runKey);
    if (registered != null && registered.remove(stop) && registered.isEmpty()) {
      running.remove(runKey);
    }
  }
}
