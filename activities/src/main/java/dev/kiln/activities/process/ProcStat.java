package dev.kiln.activities.process;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The few fields of {@code /proc/<pid>/stat} the runner needs. {@link ProcessHandle} exposes
 * neither the process group nor the zombie state, and both matter: a killed grandchild stays a
 * zombie until PID 1 reaps it, and a zombie holds no resources, so it counts as gone.
 *
 * @param pid the process id
 * @param state the one-letter state ({@code R}, {@code S}, {@code Z} …)
 * @param pgid the process group id
 * @param startTicks start time in clock ticks since boot; with the boot id it tells a process from
 *     a later one that reused its pid
 */
record ProcStat(long pid, char state, long pgid, long startTicks) {

  private static final Path PROC = Path.of("/proc");

  /** Whether this system exposes {@code /proc} (Linux). Without it nothing here works. */
  static boolean available() {
    return Files.isReadable(PROC.resolve("self/stat"));
  }

  /** The process's stat, or empty when it does not exist (or exited while being read). */
  static Optional<ProcStat> read(long pid) {
    try {
      return Optional.of(parse(Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"))));
    } catch (IOException | RuntimeException gone) {
      return Optional.empty();
    }
  }

  /** All live (non-zombie) processes whose process group is {@code pgid}. */
  static List<ProcStat> groupMembers(long pgid) {
    List<ProcStat> members = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC, "[0-9]*")) {
      for (Path entry : entries) {
        read(Long.parseLong(entry.getFileName().toString()))
            .filter(stat -> stat.pgid == pgid && !stat.zombie())
            .ifPresent(members::add);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list /proc", e);
    }
    return members;
  }

  /** Zombies ({@code Z}) and dead entries ({@code X}) run no code and hold no pipes. */
  boolean zombie() {
    return state == 'Z' || state == 'X';
  }

  static ProcStat parse(String stat) {
    // The command name (field 2) is in parentheses and may itself contain spaces and ')'.
    int close = stat.lastIndexOf(')');
    String[] fields = stat.substring(close + 2).trim().split(" ");
    long pid = Long.parseLong(stat.substring(0, stat.indexOf(' ')));
    // fields[0] is field 3 of proc(5): state; pgrp is field 5, starttime field 22.
    return new ProcStat(
        pid, fields[0].charAt(0), Long.parseLong(fields[2]), Long.parseLong(fields[19]));
  }
}
