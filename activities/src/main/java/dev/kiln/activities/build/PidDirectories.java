package dev.kiln.activities.build;

import dev.kiln.activities.BuildHost;
import dev.kiln.activities.process.ProcessRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where each worker process records the process groups of the commands it runs: one directory per
 * worker process, with an {@code owner} file naming that process. Several workers may share one
 * KILN_HOME, so a starting worker reaps only the directories of workers that are gone — never the
 * live builds of a neighbour.
 */
final class PidDirectories {

  private static final String OWNER = "owner";

  private PidDirectories() {}

  /** This process's directory, created (with its owner file) on first use. */
  static Path own(BuildHost host) {
    Path dir = root(host).resolve(host.queue());
    try {
      Files.createDirectories(dir);
      Path owner = dir.resolve(OWNER);
      if (!Files.exists(owner)) {
        Files.writeString(owner, describe(ProcessHandle.current()));
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** How many other worker processes that are still alive record their groups here. */
  static int liveNeighbours(BuildHost host) {
    Path root = root(host);
    if (!Files.isDirectory(root)) {
      return 0;
    }
    try (Stream<Path> dirs = Files.list(root)) {
      return (int)
          dirs.filter(Files::isDirectory)
              .filter(dir -> !dir.getFileName().toString().equals(host.queue()))
              .filter(PidDirectories::ownerAlive)
              .count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Kills the groups recorded by workers that no longer run; returns how many were killed. */
  static int reapDeadOwners(BuildHost host) {
    Path root = root(host);
    if (!Files.isDirectory(root)) {
      return 0;
    }
    int killed = 0;
    try (Stream<Path> dirs = Files.list(root)) {
      for (Path dir : dirs.filter(Files::isDirectory).toList()) {
        if (!dir.getFileName().toString().equals(host.queue()) && !ownerAlive(dir)) {
          killed += killRecordedGroups(dir, host);
          deleteTree(dir);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return killed;
  }

  private static int killRecordedGroups(Path dir, BuildHost host) throws IOException {
    int killed = 0;
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(f -> !f.getFileName().toString().equals(OWNER)).toList()) {
        if (ProcessRunner.killStaleGroup(file, host.gracePeriod())) {
          killed++;
        }
      }
    }
    return killed;
  }

  /** The owner is alive when a process with its pid exists and started when it did. */
  private static boolean ownerAlive(Path dir) {
    try {
      String[] owner = Files.readString(dir.resolve(OWNER)).trim().split(" ");
      Optional<ProcessHandle> process = ProcessHandle.of(Long.parseLong(owner[0]));
      return process.isPresent()
          && process.get().isAlive()
          && describe(process.get()).equals(String.join(" ", owner));
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static String describe(ProcessHandle process) {
    return process.pid()
        + " "
        + process.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }

  private static Path root(BuildHost host) {
    return host.home().resolve("work").resolve("pids");
  }
}
