package dev.kiln.activities.fetch;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tracked regular files of a workspace that {@link WorkingTreeSync} found holding the commit's
 * blobs (hashed, or known by their stamps), each with its inode, and the moment the sync settled
 * them. At the run's end, {@link #stamp} keeps those still untouched as {@link TreeStamps} for the
 * lane's next sync.
 *
 * <p>A file is untouched when it has the same inode and a status-change time no later than the
 * moment the sync settled it. That holds only if every later change gets a later time, which needs
 * three things. File times come from the kernel's coarse clock, which runs up to a tick behind the
 * one read here: the tree is stamped only if {@link #awaitLaterFileTimes} saw a file touched after
 * the sync get a later time before the build started. The wall clock must not have been set back in
 * between: {@link #stamp} stamps nothing after a net step back. And no process of the build may
 * outlive it, which the sandbox's pid namespace ensures. Times of a local file system are assumed;
 * a network file system's come from its server's clock.
 */
final class SettledTree {

  private static final Logger log = LoggerFactory.getLogger(SettledTree.class);

  /** Far longer than any coarse clock tick (10 ms at most): past it, something is wrong. */
  static final Duration MAX_HAND_OVER_WAIT = Duration.ofSeconds(1);

  /** A tracked regular file the sync found holding its blob, and its inode. */
  record Verified(ObjectId blob, long inode) {}

  private final Map<String, Verified> files;
  private final Set<String> directories;
  private final long settledNanos;
  private final long wallAheadOfMonotonic;

  /**
   * @param files by path relative to the work tree, with forward slashes
   * @param directories every directory holding one of them, relative the same way
   * @param settled read right after the last file was touched
   * @param wallAheadOfMonotonic {@link #wallAheadOfMonotonic()} read beside {@code settled}
   */
  SettledTree(
      Map<String, Verified> files,
      Set<String> directories,
      Instant settled,
      long wallAheadOfMonotonic) {
    this.files = files;
    this.directories = directories;
    // +1 µs: the clock may be read at a coarser grain than file times are kept
    this.settledNanos = nanos(settled) + TimeUnit.MICROSECONDS.toNanos(1);
    this.wallAheadOfMonotonic = wallAheadOfMonotonic;
  }

  /**
   * Touches {@code probe} (on the workspace's file system) until it gets a later status-change time
   * than the sync's: from then on, any change to the tree shows. Called before the tree is handed
   * to the build.
   *
   * @return whether it did: false when that did not happen within {@link #MAX_HAND_OVER_WAIT}, the
   *     probe could not be touched or the wait was interrupted; the tree must then not be stamped
   */
  boolean awaitLaterFileTimes(Path probe) {
    try {
      Files.createFile(probe);
    } catch (FileAlreadyExistsException made) {
      // by an earlier fetch, or one beside this one: touching it is all the same
    } catch (IOException e) {
      log.warn("cannot make {}: not stamping: {}", probe, e.toString());
      return false;
    }
    long deadline = System.nanoTime() + MAX_HAND_OVER_WAIT.toNanos();
    while (true) {
      try {
        if (touchedLater(probe)) {
          return true;
        }
      } catch (IOException e) {
        log.warn("cannot touch {}: not stamping: {}", probe, e.toString());
        return false;
      }
      if (System.nanoTime() - deadline > 0) {
        log.warn("file times stayed behind the clock for {}: not stamping", MAX_HAND_OVER_WAIT);
        return false;
      }
      try {
        TimeUnit.MILLISECONDS.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }

  private boolean touchedLater(Path probe) throws IOException {
    Files.setLastModifiedTime(probe, FileTime.from(Instant.now()));
    FileTime changed =
        (FileTime) Files.getAttribute(probe, "unix:ctime", LinkOption.NOFOLLOW_LINKS);
    return nanos(changed) > settledNanos;
  }

  /**
   * Stamps the files of the work tree at {@code root} that nothing changed since the sync, without
   * following a symbolic link the build may have put in place of a directory.
   */
  TreeStamps stamp(Path root) throws IOException {
    // a net step back only: one back and forth again goes unseen
    if (wallAheadOfMonotonic() < wallAheadOfMonotonic - TimeUnit.MILLISECONDS.toNanos(1)) {
      log.info("the clock was set back since {} was synced: not stamping", root);
      return TreeStamps.none();
    }
    Map<String, TreeStamps.Stamp> stamps = new HashMap<>();
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
            String path = WorkingTreeSync.relative(root, dir);
            boolean holdsFiles =
                dir.equals(root) || (!path.equals(Constants.DOT_GIT) && directories.contains(path));
            return holdsFiles ? FileVisitResult.CONTINUE : FileVisitResult.SKIP_SUBTREE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attributes)
              throws IOException {
            String path = WorkingTreeSync.relative(root, file);
            Verified verified = files.get(path);
            if (verified != null && attributes.isRegularFile()) {
              stampIfUntouched(file, path, verified, stamps);
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) {
            return FileVisitResult.CONTINUE; // made unreadable by the build: read next time
          }
        });
    return new TreeStamps(stamps);
  }

  private void stampIfUntouched(
      Path file, String path, Verified verified, Map<String, TreeStamps.Stamp> stamps)
      throws IOException {
    Map<String, Object> status;
    try {
      status =
          Files.readAttributes(
              file, "unix:isRegularFile,ino,size,ctime", LinkOption.NOFOLLOW_LINKS);
    } catch (FileSystemException gone) {
      return;
    }
    long inode = (Long) status.get("ino");
    long ctime = nanos((FileTime) status.get("ctime"));
    if ((Boolean) status.get("isRegularFile")
        && inode == verified.inode()
        && ctime <= settledNanos) {
      stamps.put(
          path, new TreeStamps.Stamp(verified.blob(), inode, (Long) status.get("size"), ctime));
    }
  }

  static long nanos(FileTime time) {
    return time.to(TimeUnit.NANOSECONDS);
  }

  private static long nanos(Instant time) {
    return TimeUnit.SECONDS.toNanos(time.getEpochSecond()) + time.getNano();
  }

  /** Grows when the wall clock is set forward, shrinks when it is set back. */
  static long wallAheadOfMonotonic() {
    return nanos(Instant.now()) - System.nanoTime();
  }
}
