package dev.kiln.activities.process.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reading and writing cgroup control files, which are small text files with quirks. */
final class CgroupFiles {

  private static final Logger log = LoggerFactory.getLogger(CgroupFiles.class);

  /** Processes that just died may keep a cgroup busy until they are reaped. */
  private static final Duration REMOVE_PATIENCE = Duration.ofSeconds(2);

  private CgroupFiles() {}

  static void write(Path file, String value) throws IOException {
    try {
      Files.writeString(file, value);
    } catch (IOException e) {
      throw new IOException("cannot write " + value + " to " + file + ": " + e.getMessage(), e);
    }
  }

  /** Writes only if the file exists (an optional knob of this kernel). */
  static void writeIfPresent(Path file, String value) throws IOException {
    if (Files.exists(file)) {
      write(file, value);
    }
  }

  /** The file's single number, if it exists and holds one. */
  static Optional<Long> number(Path file) {
    try {
      return Optional.of(Long.parseLong(Files.readString(file).trim()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** The value of {@code key} in a flat-keyed file ({@code oom_kill 1} per line), or 0. */
  static long keyed(Path file, String key) {
    try {
      for (String line : Files.readAllLines(file)) {
        String[] parts = line.trim().split("\\s+");
        if (parts.length == 2 && parts[0].equals(key)) {
          return Long.parseLong(parts[1]);
        }
      }
    } catch (IOException | NumberFormatException e) {
      log.debug("cannot read {} from {}: {}", key, file, e.toString());
    }
    return 0;
  }

  /** Removes an empty cgroup directory, retrying while its last processes are being reaped. */
  static void remove(Path dir) {
    long deadline = System.nanoTime() + REMOVE_PATIENCE.toNanos();
    while (true) {
      try {
        Files.deleteIfExists(dir);
        return;
      } catch (IOException e) {
        if (System.nanoTime() - deadline > 0) {
          log.warn("cannot remove cgroup {}: {}", dir, e.toString());
          return;
        }
        LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
      }
    }
  }
}
