package dev.kiln.activities.process.sandbox;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches a running step for the limits the kernel does not enforce by killing the whole step: the
 * cgroup's OOM kills (under cgroup v1 the OOM killer takes one process, and the build may limp on
 * without it) and the disk its directories claim. The first breach is kept, and {@code onBreach}
 * runs once, on the watch's own thread, so the caller can kill the step.
 *
 * <p>The disk is measured by walking the tree, which costs time on a large workspace, so the walks
 * are spaced at least {@link #DISK_WORK_RATIO} times their own duration apart: never more than a
 * tenth of one core. A build can therefore overshoot by what it writes between two walks.
 */
final class LimitWatch implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LimitWatch.class);

  static final Duration MEMORY_POLL = Duration.ofMillis(250);
  static final Duration MIN_DISK_INTERVAL = Duration.ofSeconds(1);
  static final int DISK_WORK_RATIO = 10;

  private final StepCgroup cgroup; // null: no cgroup to watch
  private final List<Path> diskRoots;
  private final long diskBytes;
  private final long memoryBytes;
  private final AtomicReference<String> breach = new AtomicReference<>();
  private volatile boolean closed;
  private Thread thread;

  LimitWatch(StepCgroup cgroup, long memoryBytes, List<Path> diskRoots, long diskBytes) {
    this.cgroup = cgroup;
    this.memoryBytes = memoryBytes;
    this.diskRoots = List.copyOf(diskRoots);
    this.diskBytes = diskBytes;
  }

  /** Starts watching; {@code onBreach} runs at most once. */
  synchronized void start(String name, Runnable onBreach) {
    thread = new Thread(() -> watch(onBreach), "kiln-limits-" + name);
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Stops watching and looks one last time: an OOM kill or a file written just before the step
   * ended counts too.
   *
   * @return the first limit exceeded, as the summary says it ("memory limit 4 GiB exceeded")
   */
  Optional<String> finish() {
    close();
    checkMemory();
    checkDisk();
    return Optional.ofNullable(breach.get());
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (thread != null) {
      thread.interrupt();
      try {
        thread.join(Duration.ofSeconds(5).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void watch(Runnable onBreach) {
    long nextDisk = System.nanoTime();
    try {
      while (!closed) {
        checkMemory();
        if (System.nanoTime() - nextDisk >= 0) {
          long began = System.nanoTime();
          checkDisk();
          long took = System.nanoTime() - began;
          nextDisk = began + Math.max(MIN_DISK_INTERVAL.toNanos(), took * DISK_WORK_RATIO);
        }
        if (breach.get() != null) {
          onBreach.run();
          return;
        }
        TimeUnit.NANOSECONDS.sleep(MEMORY_POLL.toNanos());
      }
    } catch (InterruptedException e) {
      // closed
    } catch (RuntimeException e) {
      log.error("limit watch failed; limits other than the kernel's are no longer checked", e);
    }
  }

  private void checkMemory() {
    if (cgroup != null && cgroup.oomKills() > 0) {
      breach.compareAndSet(null, "memory limit " + ByteSizes.format(memoryBytes) + " exceeded");
    }
  }

  private void checkDisk() {
    if (DiskUsage.apparentBytes(diskRoots) > diskBytes) {
      breach.compareAndSet(null, "workspace exceeded " + ByteSizes.format(diskBytes));
    }
  }
}
