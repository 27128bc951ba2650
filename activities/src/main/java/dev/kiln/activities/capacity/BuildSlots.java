package dev.kiln.activities.capacity;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The build slots of one worker process, shared by every architecture it serves: a build holds one
 * from the moment its fetch starts until its cleanup ends.
 *
 * <p>A poller first takes a {@link Reservation} (only while a slot is free and, unless the host is
 * idle, the machine's load admits more work), so a worker with no free slot does not poll and the
 * tasks stay in Temporal's queue, in priority order. When the fetch succeeds the reservation
 * becomes the run's <em>lease</em>; a poll that brought nothing, or a failed fetch, gives it back.
 *
 * <p>A lease ends with the run's cleanup. Against leases whose cleanup never comes (a workflow
 * terminated from the UI, a fetch whose result could not be reported) the host asks the ledger
 * which of its runs have ended ({@link #endIfIdle}); and as a last resort a lease ends when no host
 * activity of its run has been running for {@code leaseIdle}: between two host activities a run
 * only reports to the ledger, which takes seconds.
 */
public final class BuildSlots {

  private static final Logger log = LoggerFactory.getLogger(BuildSlots.class);

  private final int size;
  private final Duration leaseIdle;
  private final Clock clock;
  private final BooleanSupplier loadAdmits;
  private final Queue<CompletableFuture<Reservation>> waiting = new ArrayDeque<>();
  private final List<Reservation> reservations = new ArrayList<>();
  private final Map<String, Lease> leases = new HashMap<>();

  /**
   * @param loadAdmits whether the machine may take another build now (CPU and memory limits)
   */
  public BuildSlots(int size, Duration leaseIdle, Clock clock, BooleanSupplier loadAdmits) {
    if (size < 1) {
      throw new IllegalArgumentException("a worker needs at least one build slot, got " + size);
    }
    this.size = size;
    this.leaseIdle = leaseIdle;
    this.clock = clock;
    this.loadAdmits = loadAdmits;
  }

  public int size() {
    return size;
  }

  /** A reservation for the next poll: completes once a slot is free and the load admits a build. */
  public CompletableFuture<Reservation> reserve() {
    CompletableFuture<Reservation> waiter = new CompletableFuture<>();
    synchronized (this) {
      waiting.add(waiter);
    }
    grantWaiting();
    return waiter;
  }

  /** Gives back a reservation that will not be used (an aborted poll, a failed fetch). */
  public void release(Reservation reservation) {
    synchronized (this) {
      if (!reservations.remove(reservation)) {
        return;
      }
    }
    grantWaiting();
  }

  /** The poll brought a fetch for {@code runKey}: the reservation now counts as a busy slot. */
  public synchronized void markUsed(Reservation reservation, String runKey) {
    reservation.runKey = runKey;
  }

  /**
   * The fetch of {@code runKey} succeeded: its reservation becomes the run's lease, held until
   * {@link #finish}. A run fetched again on this host (after its host was thought lost) keeps one
   * lease, on its newest workspace.
   *
   * @param workspace the workspace the fetch made, removed if the run ends without its cleanup
   */
  public synchronized void keep(String runKey, Path workspace) {
    for (Iterator<Reservation> it = reservations.iterator(); it.hasNext(); ) {
      Reservation reservation = it.next();
      if (runKey.equals(reservation.runKey)) {
        it.remove();
        leases.put(runKey, new Lease(clock.instant(), workspace));
        return;
      }
    }
  }

  /**
   * A host activity of the run starts; the lease cannot expire, nor the janitor end it, while one
   * runs.
   *
   * @return whether the run holds a lease here; without one its workspace is the janitor's
   */
  public synchronized boolean enter(String runKey) {
    Lease lease = leases.get(runKey);
    if (lease != null) {
      lease.running++;
    }
    return lease != null;
  }

  /** A host activity of the run ends; the lease's idle time counts from now. */
  public synchronized void exit(String runKey) {
    Lease lease = leases.get(runKey);
    if (lease != null) {
      lease.running = Math.max(0, lease.running - 1);
      lease.lastActive = clock.instant();
    }
  }

  /** The run's cleanup ran: its slot is free. */
  public void finish(String runKey) {
    synchronized (this) {
      if (leases.remove(runKey) == null) {
        return;
      }
    }
    grantWaiting();
  }

  /**
   * Ends the lease of a run that is known to have ended without its cleanup reaching this host (a
   * workflow terminated, a completion that could not be reported), unless one of its host
   * activities still runs: the workspace stays until its commands are gone.
   *
   * @return the lease's workspace, for the caller to remove; empty when there was no lease or it is
   *     still in use
   */
  public Optional<Path> endIfIdle(String runKey) {
    Path workspace;
    synchronized (this) {
      Lease lease = leases.get(runKey);
      if (lease == null || lease.running > 0) {
        return Optional.empty();
      }
      leases.remove(runKey);
      workspace = lease.workspace;
    }
    grantWaiting();
    return Optional.of(workspace);
  }

  /**
   * Ends the lease of a superseded attempt of {@code runKey} (the run started over on another host,
   * or will): its slot is free at once, where waiting for the lease to go idle would hold it for
   * {@code leaseIdle} while restarted runs, this one among them, wait for a slot. Not when the
   * lease is the run's newer attempt's (the run was fetched here again, into another workspace),
   * nor while a host activity of the run still runs.
   *
   * @return whether the lease ended; the caller then removes {@code workspace}
   */
  public boolean endSuperseded(String runKey, Path workspace) {
    synchronized (this) {
      Lease lease = leases.get(runKey);
      if (lease == null || lease.running > 0 || !lease.workspace.equals(workspace)) {
        return false;
      }
      leases.remove(runKey);
    }
    grantWaiting();
    return true;
  }

  /**
   * What this host holds now, read at once: the workspaces of leased runs, and the runs whose fetch
   * is under way (and may be making a workspace).
   */
  public synchronized Holdings holdings() {
    Set<Path> workspaces = new HashSet<>();
    for (Lease lease : leases.values()) {
      workspaces.add(lease.workspace);
    }
    Set<String> fetching = new TreeSet<>();
    for (Reservation reservation : reservations) {
      if (reservation.runKey != null) {
        fetching.add(reservation.runKey);
      }
    }
    return new Holdings(new TreeSet<>(leases.keySet()), workspaces, fetching);
  }

  /**
   * @param leased the run keys whose fetch succeeded and whose cleanup has not run
   * @param workspaces the workspaces of those runs
   * @param fetching the run keys whose fetch is under way
   */
  public record Holdings(Set<String> leased, Set<Path> workspaces, Set<String> fetching) {}

  /**
   * Ends leases idle for longer than {@code leaseIdle}, then grants waiting reservations that a
   * freed slot or a lighter load now admits. Called periodically. The idle limit is the last
   * resort, for a run whose end this host never learns of (the api unreachable all along).
   *
   * @return the workspaces of the leases that expired, for the caller to remove
   */
  public List<Path> expireAndGrant() {
    List<Path> expired = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    synchronized (this) {
      Instant deadline = clock.instant().minus(leaseIdle);
      leases
          .entrySet()
          .removeIf(
              e -> {
                Lease lease = e.getValue();
                boolean idle = lease.running == 0 && lease.lastActive.isBefore(deadline);
                if (idle) {
                  keys.add(e.getKey());
                  expired.add(lease.workspace);
                }
                return idle;
              });
    }
    for (String runKey : keys) {
      log.warn(
          "build slot of {} freed: no host activity for {} and no cleanup (terminated run?)",
          runKey,
          leaseIdle);
    }
    grantWaiting();
    return expired;
  }

  /** Builds holding a slot: leases plus fetches under way. Idle polls do not count. */
  public synchronized int busy() {
    int fetching = 0;
    for (Reservation reservation : reservations) {
      if (reservation.runKey != null) {
        fetching++;
      }
    }
    return leases.size() + fetching;
  }

  public synchronized int free() {
    return size - busy();
  }

  /**
   * An idle host always takes one build, whatever the load: its own builds are not the cause, and
   * holding back would starve the queue on a machine busy with other work. The load limits only
   * hold back a second and later builds.
   */
  private synchronized boolean idle() {
    return reservations.isEmpty() && leases.isEmpty();
  }

  /** Whether the load limits are what holds this host back from another build now. */
  public synchronized boolean heldBackByLoad() {
    return !idle() && hasRoom() && !loadAdmits.getAsBoolean();
  }

  /** Whether a slot is free for a poll right now; does not ask the load. */
  private synchronized boolean hasRoom() {
    return reservations.size() + leases.size() < size;
  }

  private void grantWaiting() {
    while (true) {
      CompletableFuture<Reservation> waiter;
      Reservation reservation;
      synchronized (this) {
        dropAbandonedWaiters();
        if (waiting.isEmpty() || !hasRoom()) {
          return;
        }
        // Cheap under the lock: the load is a cached reading, refreshed by the caller's timer.
        if (!idle() && !loadAdmits.getAsBoolean()) {
          return;
        }
        waiter = waiting.poll();
        reservation = new Reservation();
        reservations.add(reservation);
      }
      if (!waiter.complete(reservation)) {
        // abandoned between the check and now
        release(reservation);
      }
    }
  }

  private void dropAbandonedWaiters() {
    waiting.removeIf(CompletableFuture::isDone);
  }

  /** One poller's claim on a slot; identity matters, not content. */
  public static final class Reservation {
    private String runKey;

    private Reservation() {}
  }

  private static final class Lease {
    private final Path workspace;
    private Instant lastActive;
    private int running;

    private Lease(Instant lastActive, Path workspace) {
      this.lastActive = lastActive;
      this.workspace = workspace;
    }
  }
}
