package dev.kiln.activities.fetch;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.lib.ObjectId;

/**
 * The tracked regular files of a workspace right after {@link WorkingTreeSync} made them the
 * commit's, each with its blob and inode, and the moment that was done. At the run's end, {@link
 * #stamp} keeps those still untouched as {@link TreeStamps} for the lane's next sync.
 *
 * <p>A file is untouched when it has the same inode and a status-change time no later than the
 * moment the sync was done: any later change gives it a later one, provided the change comes more
 * than one tick of the kernel's coarse clock after that moment (file times come from that clock,
 * which runs up to a tick behind). {@link #awaitHandOver} makes sure the build starts only then.
 */
final class SettledTree {

  /**
   * The longest tick of the kernel's coarse clock: 10 ms at 100 Hz, the slowest timer Linux offers.
   * Kernels with fine-grained file times need none of it.
   */
  static final Duration CLOCK_TICK = Duration.ofMillis(10);

  /** A tracked regular file: the blob it holds and its inode at the end of the sync. */
  record Placed(ObjectId blob, long inode) {}

  private final Map<String, Placed> files;
  private final long settledNanos;

  /**
   * @param files by path relative to the work tree, with forward slashes
   * @param settled read after the last file was written or touched
   */
  SettledTree(Map<String, Placed> files, Instant settled) {
    this.files = files;
    // +1 µs: the clock may be read at a coarser grain than file times are kept
    this.settledNanos = nanos(settled) + TimeUnit.MICROSECONDS.toNanos(1);
  }

  /** Returns once the sync is a clock tick in the past, so that any later change shows. */
  void awaitHandOver() {
    long wait = settledNanos + CLOCK_TICK.toNanos() - nanos(Instant.now());
    if (wait > 0) {
      try {
        TimeUnit.NANOSECONDS.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Stamps the files of the work tree at {@code root} that nothing changed since the sync; call it
   * once the build's processes are gone.
   */
  TreeStamps stamp(Path root) throws IOException {
    Map<String, TreeStamps.Stamp> stamps = new HashMap<>();
    for (Map.Entry<String, Placed> file : files.entrySet()) {
      Map<String, Object> status;
      try {
        status =
            Files.readAttributes(
                root.resolve(file.getKey()),
                "unix:isRegularFile,ino,size,ctime",
                LinkOption.NOFOLLOW_LINKS);
      } catch (FileSystemException gone) {
        continue; // deleted, or its directory made unreadable, by the build
      }
      long inode = (Long) status.get("ino");
      long ctime = nanos((FileTime) status.get("ctime"));
      if ((Boolean) status.get("isRegularFile")
          && inode == file.getValue().inode()
          && ctime <= settledNanos) {
        stamps.put(
            file.getKey(),
            new TreeStamps.Stamp(file.getValue().blob(), inode, (Long) status.get("size"), ctime));
      }
    }
    return new TreeStamps(stamps);
  }

  static long nanos(FileTime time) {
    return time.to(TimeUnit.NANOSECONDS);
  }

  private static long nanos(Instant time) {
    return TimeUnit.SECONDS.toNanos(time.getEpochSecond()) + time.getNano();
  }
}
