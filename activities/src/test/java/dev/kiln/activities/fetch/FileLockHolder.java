package dev.kiln.activities.fetch;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Run as a separate JVM by {@link MirrorCacheTest}: stands in for another worker process on the
 * same host. Locks the file named by its argument, says "locked", and holds the lock until its
 * stdin closes.
 */
public final class FileLockHolder {

  private FileLockHolder() {}

  public static void main(String[] args) throws IOException {
    try (FileChannel channel =
            FileChannel.open(
                Path.of(args[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = channel.lock()) {
      System.out.println("locked");
      System.out.flush();
      while (System.in.read() != -1) {
        // Hold the lock until the test closes our stdin.
      }
    }
  }
}
