package dev.kiln.activities.fetch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Workspaces kept after their run, one per lane, for the lane's next build on this host to start
 * from: checking out only what changed is what makes a warm lane's fetch fast. They live under
 * {@code work/warm/<lane key>}, outside {@code work/runs}, and at most {@code capacity} of them,
 * the least recently used going first. A lane's workspace serves that lane only (repository, ref
 * and architecture): the builds of one branch or merge request never start from another's tree, and
 * {@link WorkingTreeSync} trusts nothing in it anyway. Beside each, {@code <lane key>.stamps} holds
 * the {@link TreeStamps} of its files that the run left as its sync made them.
 */
final class WarmWorkspaces {

  private static final Logger log = LoggerFactory.getLogger(WarmWorkspaces.class);

  private final Path root;
  private final int capacity;

  /** False once stamping failed for want of a file-system clock ({@link #stampable}). */
  private volatile boolean stampsWork = true;

  /** Signs the stamps this process writes: it trusts no others ({@link TreeStamps}). */
  private final byte[] stampsKey = new byte[32];

  /**
   * Which lane each workspace in use belongs to, so cleanup knows where to keep it, and the tree
   * its sync left.
   */
  private final Map<Path, InUse> lanes = new ConcurrentHashMap<>();

  /**
   * @param settled null after a fresh checkout
   */
  private record InUse(String laneKey, SettledTree settled) {}

  WarmWorkspaces(Path kilnHome, int capacity) {
    this.root = kilnHome.resolve("work").resolve("warm").toAbsolutePath().normalize();
    this.capacity = capacity;
    new SecureRandom().nextBytes(stampsKey);
  }

  /** The key of a lane: short, safe as a file name, and the same on every host. */
  static String laneKey(String repo, String ref, String arch) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest((repo + "\n" + ref + "\n" + arch).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Moves the lane's kept workspace onto {@code target}, an empty directory reserved for the run.
   *
   * @return its stamps (none when they are missing or unreadable) when there was one; empty, and
   *     {@code target} left as it was, when not
   */
  Optional<TreeStamps> takeInto(String laneKey, Path target) throws IOException {
    Path kept = root.resolve(laneKey);
    try {
      // rename(2) replaces an empty directory: the target stays reserved throughout
      Files.move(kept, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (NoSuchFileException none) {
      return Optional.empty();
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("cannot move " + kept + " to " + target + " in one step", e);
    }
    Path stampsFile = stampsFile(laneKey);
    try {
      return Optional.of(TreeStamps.readFrom(stampsFile, inode(target), stampsKey));
    } catch (IOException | RuntimeException e) {
      log.info("reading every file of the kept workspace {}: {}", laneKey, e.toString());
      return Optional.of(TreeStamps.none());
    } finally {
      // they describe this tree only as it is now
      deleteQuietly(stampsFile);
    }
  }

  /**
   * The workspace now serves the lane's run; {@link #keep} gives it back to the lane.
   *
   * @param settled the tree its sync left; null after a fresh checkout (the next sync reads every
   *     file)
   */
  void inUse(Path workspace, String laneKey, SettledTree settled) {
    lanes.put(workspace.toAbsolutePath().normalize(), new InUse(laneKey, settled));
  }

  /**
   * Keeps a finished run's workspace for its lane, replacing what the lane kept before, and drops
   * the least recently used ones past the capacity.
   *
   * @return false when the workspace belongs to no known lane (the caller removes it)
   */
  boolean keep(Path workspace) throws IOException {
    InUse use = lanes.remove(workspace.toAbsolutePath().normalize());
    if (use == null || capacity < 1 || !Files.isDirectory(workspace)) {
      return false;
    }
    Files.createDirectories(root);
    Path kept = root.resolve(use.laneKey());
    Path stampsFile = stampsFile(use.laneKey());
    deleteQuietly(stampsFile); // left behind, they name another tree: never used
    FileTrees.deleteRecursively(kept);
    if (use.settled() != null) {
      writeStamps(use.settled(), workspace, stampsFile);
    }
    Files.move(workspace, kept, StandardCopyOption.ATOMIC_MOVE);
    Files.setLastModifiedTime(kept, FileTime.from(Instant.now()));
    try {
      evictBeyondCapacity();
    } catch (IOException e) {
      // the next keep tries again; a lane taking its workspace meanwhile is harmless
      log.warn("could not drop old kept workspaces: {}", e.toString());
    }
    return true;
  }

  /**
   * Whether {@code settled} may be stamped at its run's end ({@link
   * SettledTree#awaitLaterFileTimes}), asked before the tree goes to the build. The probe lies on
   * the workspaces' file system, as kept trees are renamed into place from here, in no listing of
   * them. A file system whose times stay behind the clock for long (whole seconds) would make every
   * fetch wait: after one such wait, no tree is stamped again.
   */
  boolean stampable(SettledTree settled) {
    if (!stampsWork) {
      return false;
    }
    boolean later = settled.awaitLaterFileTimes(root.resolve(".clock-probe"));
    if (!later && !Thread.currentThread().isInterrupted()) {
      stampsWork = false;
    }
    return later;
  }

  /** Forgets a workspace that is being removed instead of kept. */
  void forget(Path workspace) {
    lanes.remove(workspace.toAbsolutePath().normalize());
  }

  private void evictBeyondCapacity() throws IOException {
    List<Path> byAge;
    try (Stream<Path> dirs = Files.list(root)) {
      byAge =
          dirs.filter(Files::isDirectory)
              .sorted(Comparator.comparing(WarmWorkspaces::lastUsed).reversed())
              .toList();
    }
    for (Path old : byAge.subList(Math.min(capacity, byAge.size()), byAge.size())) {
      log.info("dropping the kept workspace {}: more than {} kept", old.getFileName(), capacity);
      deleteQuietly(stampsFile(old.getFileName().toString()));
      FileTrees.deleteRecursively(old);
    }
  }

  /** Best effort: without stamps, the lane's next sync reads every file. */
  private void writeStamps(SettledTree settled, Path workspace, Path stampsFile) {
    try {
      settled.stamp(workspace).writeTo(stampsFile, inode(workspace), stampsKey);
    } catch (IOException | RuntimeException e) {
      log.warn("no stamps kept for {}: {}", workspace, e.toString());
    }
  }

  /** A directory's inode: a rename keeps it, so it names the kept tree wherever it is. */
  private static long inode(Path dir) throws IOException {
    return (Long) Files.getAttribute(dir, "unix:ino", LinkOption.NOFOLLOW_LINKS);
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      log.warn("could not delete {}: {}", file, e.toString());
    }
  }

  private Path stampsFile(String laneKey) {
    return root.resolve(laneKey + ".stamps");
  }

  private static FileTime lastUsed(Path dir) {
    try {
      return Files.getLastModifiedTime(dir);
    } catch (IOException e) {
      return FileTime.fromMillis(0);
    }
  }
}
