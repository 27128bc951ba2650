package dev.kiln.activities.process.sandbox;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run's own directories beside its workspace: {@code $KILN_HOME/work/sandbox/<workspace>/home},
 * the home its steps share, and {@code tmp-<n>}, one fresh {@code /tmp} per step, deleted when the
 * step ends. Named after the workspace directory, so they go when the run's cleanup goes ({@link
 * #forget}), and a worker starting after a crash can tell the orphans ({@link #sweep}).
 */
public final class RunDirs {

  private static final Logger log = LoggerFactory.getLogger(RunDirs.class);

  private final Path root;
  private final AtomicLong steps = new AtomicLong();

  RunDirs(Path kilnHome) {
    this.root = kilnHome.resolve("work").resolve("sandbox").toAbsolutePath().normalize();
  }

  Path home(Path workspace) throws IOException {
    return Files.createDirectories(runDir(workspace).resolve("home"));
  }

  /** A new empty directory for one step's {@code /tmp}. */
  Path newStepTmp(Path workspace) throws IOException {
    Path dir = runDir(workspace).resolve("tmp-" + steps.incrementAndGet());
    deleteTree(dir);
    return Files.createDirectories(dir);
  }

  /** Deletes everything of the run that {@code workspace} belongs to. */
  void forget(Path workspace) {
    deleteTree(runDir(workspace));
  }

  /** Deletes the directories of runs whose workspace is no longer under {@code workspaces}. */
  void sweep(Path workspaces) {
    if (!Files.isDirectory(root)) {
      return;
    }
    try (Stream<Path> dirs = Files.list(root)) {
      for (Path dir : dirs.toList()) {
        if (!Files.exists(workspaces.resolve(dir.getFileName().toString()))) {
          deleteTree(dir);
        }
      }
    } catch (IOException e) {
      log.warn("cannot sweep {}: {}", root, e.toString());
    }
  }

  private Path runDir(Path workspace) {
    return root.resolve(workspace.getFileName().toString());
  }

  /**
   * Deletes {@code dir} and everything in it without following symlinks. A build may have left
   * directories without write permission (Go's module cache does so on purpose), which a worker not
   * running as root must open up before it can empty them.
   */
  public static void deleteTree(Path dir) {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
              makeWritable(d);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.deleteIfExists(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
              Files.deleteIfExists(d);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      log.warn("cannot delete {}: {}", dir, e.toString());
    }
  }

  private static void makeWritable(Path dir) {
    try {
      var permissions = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
      if (!permissions.containsAll(
          EnumSet.of(
              PosixFilePermission.OWNER_READ,
              PosixFilePermission.OWNER_WRITE,
              PosixFilePermission.OWNER_EXECUTE))) {
        permissions.addAll(
            EnumSet.of(
                PosixFilePermission.OWNER_READ,
                PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_EXECUTE));
        Files.setPosixFilePermissions(dir, permissions);
      }
    } catch (AccessDeniedException e) {
      // not ours: the delete will say so
    } catch (IOException | UnsupportedOperationException e) {
      log.debug("cannot open up {}: {}", dir, e.toString());
    }
  }
}
