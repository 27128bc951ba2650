package dev.kiln.dev;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The dev stack's state directory ({@code KILN_HOME}): the Temporal database, the PostgreSQL data
 * directory, logs and the worker token. The Temporal CLI is not in it but in a per-user cache that
 * every {@code KILN_HOME} shares ({@link TemporalCliCache}). Everything in it outlives a restart;
 * deleting it resets the dev stack.
 */
final class KilnHome {

  private final Path root;

  private KilnHome(Path root) {
    this.root = root;
  }

  /** Creates the directory layout if it is missing. */
  static KilnHome prepare(Path root) {
    KilnHome home = new KilnHome(root.toAbsolutePath().normalize());
    try {
      Files.createDirectories(home.logs());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create KILN_HOME at " + root, e);
    }
    return home;
  }

  Path root() {
    return root;
  }

  Path logs() {
    return root.resolve("logs");
  }

  /** The Temporal dev server's SQLite database; runs survive a restart because of it. */
  Path temporalDb() {
    return root.resolve("temporal.db");
  }

  /** Pid of the Temporal dev server we started, so the next start can end one a crash left. */
  Path temporalPidFile() {
    return root.resolve("temporal.pid");
  }

  Path postgresData() {
    return root.resolve("pg");
  }

  /** The embedded PostgreSQL's password (see {@link DevPostgres}). */
  Path postgresPasswordFile() {
    return root.resolve("postgres.password");
  }

  /** The token an extra worker process needs to report to this dev stack's api. */
  Path workerTokenFile() {
    return root.resolve("worker.token");
  }

  /** How another process joins this stack: see {@link DevStackEnv}. */
  Path devStackEnvFile() {
    return root.resolve(DevStackEnv.FILE_NAME);
  }

  /**
   * Takes the lock that keeps a second dev stack off this directory: two would share one SQLite
   * file and one PostgreSQL data directory. The lock goes away with the process, even when it
   * crashes.
   *
   * @throws IllegalStateException when another dev stack holds it
   */
  AutoCloseable lock() {
    Path lockFile = root.resolve("dev-stack.lock");
    try {
      FileChannel channel =
          FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        channel.close();
        throw new IllegalStateException(
            "Another Kiln dev stack or worker is running with KILN_HOME="
                + root
                + ". Stop it, or give this one its own KILN_HOME.");
      }
      FileLock held = lock;
      return () -> {
        held.release();
        channel.close();
      };
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot lock " + lockFile, e);
    }
  }

  @Override
  public String toString() {
    return root.toString();
  }
}
