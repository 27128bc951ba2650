package dev.kiln.activities.fetch;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Serializes all work on one mirror on this host: threads of this JVM and other worker processes.
 *
 * <p>A {@link FileLock} belongs to the whole JVM, not to a thread: a second {@code lock()} from
 * another thread throws {@code OverlappingFileLockException} instead of waiting. So threads first
 * queue on an in-JVM lock (shared by every {@code MirrorCache} in the process, hence static), and
 * only the thread holding it takes the file lock that keeps other processes out.
 */
final class MirrorLock implements AutoCloseable {

  private static final ConcurrentHashMap<Path, ReentrantLock> IN_JVM = new ConcurrentHashMap<>();

  private final ReentrantLock threadLock;
  private final FileChannel channel;
  private final FileLock fileLock;

  private MirrorLock(ReentrantLock threadLock, FileChannel channel, FileLock fileLock) {
    this.threadLock = threadLock;
    this.channel = channel;
    this.fileLock = fileLock;
  }

  /**
   * Blocks until this thread owns the mirror. The lock file sits next to the mirror and is never
   * deleted: removing a lock file another process may have open would let two holders coexist.
   */
  static MirrorLock acquire(Path mirrorDir, Consumer<String> progress) throws IOException {
    Path lockFile = mirrorDir.resolveSibling(mirrorDir.getFileName() + ".lock");
    ReentrantLock threadLock =
        IN_JVM.computeIfAbsent(lockFile.toAbsolutePath().normalize(), k -> new ReentrantLock());
    lockThread(threadLock, progress);
    try {
      FileChannel channel =
          FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      try {
        return new MirrorLock(threadLock, channel, lockFile(channel, progress));
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
    } catch (IOException | RuntimeException e) {
      threadLock.unlock();
      throw e;
    }
  }

  private static void lockThread(ReentrantLock lock, Consumer<String> progress)
      throws InterruptedIOException {
    if (lock.tryLock()) {
      return;
    }
    progress.accept("Waiting for another fetch of this repository on this host");
    try {
      lock.lockInterruptibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for the mirror lock");
    }
  }

  private static FileLock lockFile(FileChannel channel, Consumer<String> progress)
      throws IOException {
    FileLock lock = channel.tryLock();
    if (lock != null) {
      return lock;
    }
    progress.accept("Waiting for another worker process fetching this repository");
    return channel.lock();
  }

  @Override
  public void close() throws IOException {
    try {
      fileLock.release();
      channel.close();
    } finally {
      threadLock.unlock();
    }
  }
}
