package dev.kiln.activities.process.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process's real user id, which Java does not expose. */
final class Uid {

  private Uid() {}

  static boolean isRoot() {
    return current() == 0;
  }

  /** From {@code /proc/self/status}; -1 if it cannot be read. */
  static long current() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          return Long.parseLong(line.substring(4).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or /proc hidden
    }
    return -1;
  }
}
