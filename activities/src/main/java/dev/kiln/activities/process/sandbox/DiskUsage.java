package dev.kiln.activities.process.sandbox;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

/**
 * How much the files under some directories claim: apparent sizes, so a sparse file counts at its
 * full length (it can be filled in at any time), and symlinks are not followed (their targets are
 * someone else's).
 */
final class DiskUsage {

  private DiskUsage() {}

  static long apparentBytes(List<Path> roots) {
    long[] total = {0};
    for (Path root : roots) {
      if (!Files.isDirectory(root)) {
        continue;
      }
      try {
        Files.walkFileTree(
            root,
            new SimpleFileVisitor<>() {
              @Override
              public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile()) {
                  total[0] += attrs.size();
                }
                return FileVisitResult.CONTINUE;
              }

              @Override
              public FileVisitResult visitFileFailed(Path file, IOException e) {
                // deleted while walking, or made unreadable by the build: skip it
                return FileVisitResult.CONTINUE;
              }
            });
      } catch (IOException e) {
        // the walk itself only fails on the root, which is then not there to count
      }
    }
    return total[0];
  }
}
