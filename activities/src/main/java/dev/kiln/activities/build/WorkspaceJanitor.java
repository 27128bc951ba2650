package dev.kiln.activities.build;

import dev.kiln.activities.BuildHost;
import dev.kiln.activities.capacity.BuildSlots;
import dev.kiln.activities.fetch.Workspaces;
import dev.kiln.workflows.rebuild.RebuildWorkflow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes the workspaces of this build host that no run will clean up: those a previous life of the
 * worker left (it crashed, or its runs moved to another host), and those of runs that ended without
 * their cleanup reaching this host (a workflow terminated from the Web UI, a fetch whose result
 * could not be reported). The run's own cleanup activity stays the normal way; this is the net
 * under it, so that a slot and a workspace never outlive their run by more than a report period
 * once the api counts it ended (2 s after its result).
 *
 * <p>Every workspace under {@code work/runs} belongs to this process: a worker needs a KILN_HOME of
 * its own. Should another live worker share it anyway, leftovers are left alone rather than guessed
 * at, and a warning says why.
 */
public final class WorkspaceJanitor {

  private static final Logger log = LoggerFactory.getLogger(WorkspaceJanitor.class);

  private final BuildHost host;
  private final BuildSlots slots;
  private final Workspaces workspaces;
  private boolean warnedOfNeighbour;

  public WorkspaceJanitor(BuildHost host, BuildSlots slots) {
    this(host, slots, new Workspaces(host.home()));
  }

  public WorkspaceJanitor(BuildHost host, BuildSlots slots, Workspaces workspaces) {
    this.host = host;
    this.slots = slots;
    this.workspaces = workspaces;
  }

  /**
   * At start, before this worker takes a build: every workspace on disk is a previous life's, whose
   * runs have restarted elsewhere (or ended) since.
   *
   * @return how many were removed
   */
  public int removeLeftoversAtStart() {
    PidDirectories.own(host);
    int removed = removeOrphans();
    if (removed > 0) {
      log.warn("removed {} workspace(s) left behind by a previous worker", removed);
    }
    return removed;
  }

  /**
   * The periodic pass: frees the slot and removes the workspace of each run in {@code endedRunKeys}
   * (runs the ledger says have ended) whose commands are gone, then removes workspaces no run
   * holds.
   *
   * @param endedRunKeys run keys (workflow ids) of leased runs that have ended
   */
  public void sweep(Collection<String> endedRunKeys) {
    for (String runKey : endedRunKeys) {
      slots
          .endIfIdle(runKey)
          .ifPresent(
              workspace -> {
                log.warn(
                    "build slot of {} freed and its workspace removed: the run ended without"
                        + " cleaning up on this host",
                    runKey);
                remove(workspace);
              });
    }
    removeOrphans();
  }

  /** Removes workspaces whose leases expired ({@link BuildSlots#expireAndGrant}). */
  public void removeExpired(Collection<Path> expired) {
    expired.forEach(this::remove);
  }

  /** The run ids of the runs holding a workspace here, for the ledger to say which have ended. */
  public List<Long> leasedRunIds() {
    List<Long> ids = new ArrayList<>();
    for (String runKey : slots.holdings().leased()) {
      RebuildWorkflow.runIdOf(runKey).ifPresent(ids::add);
    }
    return ids;
  }

  /**
   * Removes every workspace that is neither a leased run's nor possibly being made by a fetch under
   * way. The directories are listed before the holdings are read: a fetch reserves its run before
   * it creates a directory, so a listed directory that is being made shows up as fetching.
   */
  private int removeOrphans() {
    List<Path> onDisk = listWorkspaces();
    if (onDisk.isEmpty() || sharedWithALiveWorker()) {
      return 0;
    }
    BuildSlots.Holdings held = slots.holdings();
    int removed = 0;
    for (Path dir : onDisk) {
      OptionalLong runId = Workspaces.runIdOf(dir);
      boolean fetching =
          runId.isPresent()
              && held.fetching().contains(RebuildWorkflow.workflowId(runId.getAsLong()));
      if (!held.workspaces().contains(dir) && !fetching) {
        log.info("removing workspace {}: no run on this host holds it", dir.getFileName());
        if (remove(dir)) {
          removed++;
        }
      }
    }
    return removed;
  }

  private boolean sharedWithALiveWorker() {
    int neighbours = PidDirectories.liveNeighbours(host);
    if (neighbours > 0 && !warnedOfNeighbour) {
      log.warn(
          "{} other live worker(s) use KILN_HOME {}: leftover workspaces are not removed; give"
              + " each worker a KILN_HOME of its own",
          neighbours,
          host.home());
    }
    warnedOfNeighbour = neighbours > 0;
    return neighbours > 0;
  }

  private List<Path> listWorkspaces() {
    Path root = workspaces.runsRoot();
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> dirs = Files.list(root)) {
      return dirs.filter(Files::isDirectory).toList();
    } catch (IOException e) {
      log.warn("could not list {}: {}", root, e.toString());
      return List.of();
    }
  }

  private boolean remove(Path workspace) {
    try {
      workspaces.remove(workspace);
      return true;
    } catch (IOException | RuntimeException e) {
      // The next pass tries again; a workspace its own cleanup is removing may vanish meanwhile.
      log.warn("could not remove workspace {}: {}", workspace, e.toString());
      return false;
    }
  }
}
