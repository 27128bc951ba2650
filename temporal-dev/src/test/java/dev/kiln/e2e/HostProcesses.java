package dev.kiln.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Processes as the host sees them, read from /proc directly. */
public final class HostProcesses {

  private HostProcesses() {}

  /** Live (non-zombie) processes whose command line starts with {@code prefix}. */
  static List<Long> startingWith(String prefix) throws IOException {
    return live((process, stat) -> commandLine(process).startsWith(prefix));
  }

  /** Live (non-zombie) processes whose command line holds {@code text} anywhere. */
  static List<Long> containing(String text) throws IOException {
    return live((process, stat) -> commandLine(process).contains(text));
  }

  /** Whether process {@code pid}'s environment holds {@code text}. */
  static boolean environmentContains(long pid, String text) throws IOException {
    return String.join("\0", environment(pid)).contains(text);
  }

  /** Process {@code pid}'s environment as the kernel shows it: {@code NAME=value} each. */
  public static List<String> environment(long pid) throws IOException {
    byte[] environ = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ"));
    return List.of(new String(environ, StandardCharsets.ISO_8859_1).split("\0"));
  }

  /** Whether any live process of process group {@code pgid} remains, read from /proc. */
  static boolean groupAlive(long pgid) throws IOException {
    // after the command in stat: state, ppid, pgrp
    return !live((process, stat) -> Long.parseLong(stat[2]) == pgid).isEmpty();
  }

  /** Tells one process from /proc: its directory and the fields of its stat after the command. */
  @FunctionalInterface
  private interface ProcessTest {
    boolean test(Path process, String[] stat) throws IOException;
  }

  /** The pids of live (non-zombie) processes that pass {@code test}. */
  private static List<Long> live(ProcessTest test) throws IOException {
    List<Long> found = new ArrayList<>();
    try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
      for (Path entry : entries.toList()) {
        String name = entry.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          String stat = Files.readString(entry.resolve("stat"));
          String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          if (!fields[0].equals("Z") && test.test(entry, fields)) {
            found.add(Long.parseLong(name));
          }
        } catch (IOException gone) {
          // exited meanwhile
        }
      }
    }
    return found;
  }

  private static String commandLine(Path process) throws IOException {
    return new String(Files.readAllBytes(process.resolve("cmdline")), StandardCharsets.ISO_8859_1)
        .replace('\0', ' ');
  }
}
