package dev.kiln.activities.process;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The pid namespace of a sandboxed command, seen from the host: its init (bubblewrap's reaper, pid
 * 1 inside) and every process that lives in it. Members are found by their {@code
 * /proc/<pid>/ns/pid} link, which no process can change, so a daemon that left its process group
 * with {@code setsid} is still found.
 *
 * @param initPid the host pid of the namespace's pid 1
 * @param link the namespace's identity, the target of {@code /proc/<pid>/ns/pid} ({@code
 *     pid:[4026532181]})
 */
record PidNamespace(long initPid, String link) {

  private static final Path PROC = Path.of("/proc");

  /**
   * The namespace whose init is a member of process group {@code pgid}: bubblewrap's outer process
   * leads the group, and its child, the namespace's init, stays in it.
   */
  static Optional<PidNamespace> ofGroup(long pgid) {
    for (ProcStat member : ProcStat.groupMembers(pgid)) {
      if (isNamespaceInit(member.pid())) {
        Optional<String> link = link(member.pid());
        if (link.isPresent()) {
          return Optional.of(new PidNamespace(member.pid(), link.get()));
        }
      }
    }
    return Optional.empty();
  }

  /** Host pids of the live processes in this namespace other than its init. */
  List<Long> membersBesidesInit() {
    List<Long> members = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC, "[0-9]*")) {
      for (Path entry : entries) {
        long pid = Long.parseLong(entry.getFileName().toString());
        if (pid != initPid && link(pid).filter(link::equals).isPresent()) {
          members.add(pid);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list /proc", e);
    }
    return members;
  }

  /**
   * Whether {@code pid} is pid 1 of a namespace below the host's: its {@code NSpid} line lists its
   * number at each level, the last one being 1.
   */
  static boolean isNamespaceInit(long pid) {
    try {
      for (String line : Files.readAllLines(PROC.resolve(Long.toString(pid)).resolve("status"))) {
        if (line.startsWith("NSpid:")) {
          String[] ids = line.substring("NSpid:".length()).trim().split("\\s+");
          return ids.length > 1 && ids[ids.length - 1].equals("1");
        }
      }
    } catch (IOException | RuntimeException gone) {
      // exited while being read
    }
    return false;
  }

  private static Optional<String> link(long pid) {
    try {
      return Optional.of(
          Files.readSymbolicLink(PROC.resolve(Long.toString(pid)).resolve("ns").resolve("pid"))
              .toString());
    } catch (IOException | RuntimeException gone) {
      return Optional.empty();
    }
  }
}
