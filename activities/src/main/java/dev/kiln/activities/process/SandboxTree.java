package dev.kiln.activities.process;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A command running in its own pid namespace (bubblewrap {@code --unshare-pid}), killed as a whole.
 * A process group is not enough there: a build's daemon leaves the group with {@code setsid}, but
 * it cannot leave the namespace, and when the namespace's init dies the kernel kills everything in
 * it, at once and without exception.
 *
 * <ul>
 *   <li>Alive while the outer group has a live member: the namespace's init is one, and it lives as
 *       long as anything in the namespace does (it waits for all of them).
 *   <li>Terminate: SIGTERM to every process in the namespace but its init (which ignores it), up to
 *       the grace period for them to go, then SIGKILL to the init, which takes the rest with it.
 * </ul>
 */
final class SandboxTree implements ProcessTree {

  private static final Logger log = LoggerFactory.getLogger(SandboxTree.class);

  private static final Duration KILL_WAIT = Duration.ofSeconds(5);

  private final ProcessGroup group;
  private PidNamespace namespace; // found on first need; the init exists once bwrap forked

  /** How long bwrap may take to fork its init; it takes a millisecond or two. */
  private static final Duration INIT_WAIT = Duration.ofSeconds(2);

  private static final long POLL_NANOS = Duration.ofMillis(1).toNanos();

  /**
   * The sandbox started as process {@code pgid} (bubblewrap's outer process, leading its group).
   * Waits until bubblewrap has forked the namespace's init, to know it while it is still the outer
   * process's child.
   */
  SandboxTree(long pgid) {
    this.group = new ProcessGroup(pgid);
    long deadline = System.nanoTime() + INIT_WAIT.toNanos();
    while (System.nanoTime() - deadline < 0) {
      Optional<PidNamespace> found = PidNamespace.ofChild(pgid);
      if (found.isPresent()) {
        namespace = found.get();
        return;
      }
      Optional<ProcStat> outer = ProcStat.read(pgid);
      if (outer.isEmpty() || outer.get().zombie()) {
        return;
      }
      java.util.concurrent.locks.LockSupport.parkNanos(POLL_NANOS);
    }
  }

  @Override
  public long pgid() {
    return group.pgid();
  }

  /**
   * Whether anything of the step still runs. The namespace's init alone, with nothing left in its
   * namespace, counts as gone: it exits by itself as soon as it has reaped its last child, and
   * bubblewrap's outer process does not wait for that, so the init is often still there the moment
   * the command is seen to have exited. Asked once per step at least, so it reads a few small files
   * rather than walking /proc where the kernel allows.
   */
  @Override
  public boolean isAlive() {
    Optional<ProcStat> outer = ProcStat.read(group.pgid());
    if (outer.isPresent() && !outer.get().zombie() && outer.get().pgid() == group.pgid()) {
      return true;
    }
    Optional<PidNamespace> ns = namespace();
    if (ns.isPresent()) {
      Optional<Boolean> others = ns.get().othersRunning();
      if (others.isPresent()) {
        return others.get();
      }
    }
    List<ProcStat> members = ProcStat.groupMembers(group.pgid());
    if (members.isEmpty()) {
      return false;
    }
    if (ns.isEmpty() || members.stream().anyMatch(m -> m.pid() != ns.get().initPid())) {
      return true;
    }
    return !ns.get().membersBesidesInit().isEmpty();
  }

  @Override
  public boolean terminate(Duration grace, CancelReason reason, KillObserver observer) {
    if (!isAlive()) {
      observer.groupGone();
      return true;
    }
    Optional<PidNamespace> ns = namespace();
    if (ns.isEmpty()) {
      // bwrap has not forked yet (or its init is gone): the group is all there is.
      return group.terminate(grace, reason, observer);
    }
    ns.get().membersBesidesInit().forEach(pid -> signal(pid, false));
    observer.terminateSent(reason);
    if (group.awaitGone(grace)) {
      observer.groupGone();
      return true;
    }
    log.info("sandbox of {} still running {} after SIGTERM, sending SIGKILL", group, grace);
    signal(ns.get().initPid(), true);
    group.kill("-KILL");
    observer.killSent(grace);
    boolean gone = group.awaitGone(KILL_WAIT);
    if (gone) {
      observer.groupGone();
    } else {
      log.warn("sandbox of {} survived SIGKILL for {} (uninterruptible I/O?)", group, KILL_WAIT);
    }
    return gone;
  }

  synchronized Optional<PidNamespace> namespace() {
    if (namespace == null) {
      namespace = PidNamespace.ofGroup(group.pgid()).orElse(null);
    }
    return Optional.ofNullable(namespace);
  }

  /** Through {@link ProcessHandle}, which checks the start time, so a reused pid is never hit. */
  private static void signal(long pid, boolean kill) {
    ProcessHandle.of(pid)
        .ifPresent(
            p -> {
              if (kill) {
                p.destroyForcibly();
              } else {
                p.destroy();
              }
            });
  }

  @Override
  public String toString() {
    return "sandbox " + group;
  }
}
