package dev.kiln.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** Processes as the host sees them, read from /proc directly. */
final class HostProcesses {

  private HostProcesses() {}

  /** Live (non-zombie) processes whose command line starts with {@code prefix}. */
  static List<Long> startingWith(String prefix) throws IOException {
    return matching(cmdline -> cmdline.startsWith(prefix));
  }

  /** Live (non-zombie) processes whose command line holds {@code text} anywhere. */
  static List<Long> containing(String text) throws IOException {
    return matching(cmdline -> cmdline.contains(text));
  }

  private static List<Long> matching(Predicate<String> commandLine) throws IOException {
    List<Long> found = new ArrayList<>();
    try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
      for (Path entry : entries.toList()) {
        String name = entry.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          String cmdline =
              new String(
                      Files.readAllBytes(entry.resolve("cmdline")),
                      java.nio.charset.StandardCharsets.ISO_8859_1)
                  .replace('\0', ' ');
          String stat = Files.readString(entry.resolve("stat"));
          char state = stat.charAt(stat.lastIndexOf(')') + 2);
          if (commandLine.test(cmdline) && state != 'Z') {
            found.add(Long.parseLong(name));
          }
        } catch (IOException gone) {
          // exited meanwhile
        }
      }
    }
    return found;
  }

  /** Whether process {@code pid}'s environment holds {@code text}. */
  static boolean environmentContains(long pid, String text) throws IOException {
    byte[] environ = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ"));
    return new String(environ, java.nio.charset.StandardCharsets.ISO_8859_1).contains(text);
  }

  /** Whether any live process of process group {@code pgid} remains, read from /proc. */
  static boolean groupAlive(long pgid) throws IOException {
    try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
      for (Path entry : entries.toList()) {
        String name = entry.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          String stat = Files.readString(entry.resolve("stat"));
          String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          // after the command: state, ppid, pgrp
          if (Long.parseLong(fields[2]) == pgid && !fields[0].equals("Z")) {
            return true;
          }
        } catch (IOException gone) {
          // exited meanwhile
        }
      }
    }
    return false;
  }
}
