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
 * @param initStartTicks the init's start time, so that its pid, once reused, is not taken for it
 */
record PidNamespace(long initPid, String link, long initStartTicks) {

  private static final Path PROC = Path.of("/proc");

  /**
   * The namespace whose init is a member of process group {@code pgid}: bubblewrap's outer process
   * leads the group, and its child, the namespace's init, stays in it.
   */
  static Optional<PidNamespace> ofGroup(long pgid) {
    for (ProcStat member : ProcStat.groupMembers(pgid)) {
      if (isNamespaceInit(member.pid())) {
        Optional<PidNamespace> ns = of(member.pid());
        if (ns.isPresent()) {
          return ns;
        }
      }
    }
    return Optional.empty();
  }

  /**
   * The namespace whose init is the child of bubblewrap's outer process {@code outerPid}, found
   * through {@code /proc/<pid>/task/<pid>/children} without a walk of /proc; empty while bwrap has
   * not forked yet, after it exited, or where the kernel has no such file.
   */
  static Optional<PidNamespace> ofChild(long outerPid) {
    return children(outerPid).stream().findFirst().flatMap(PidNamespace::of);
  }

  private static Optional<PidNamespace> of(long initPid) {
    if (!isNamespaceInit(initPid)) {
      return Optional.empty();
    }
    Optional<String> link = link(initPid);
    Optional<ProcStat> stat = ProcStat.read(initPid);
    if (link.isEmpty() || stat.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new PidNamespace(initPid, link.get(), stat.get().startTicks()));
  }

  /**
   * Whether anything but the init still runs in the namespace, answered from the init's list of
   * children (orphans are reparented to it, so an empty list means nothing else is left): one small
   * read instead of a walk of /proc. Empty when the kernel offers no such list.
   */
  Optional<Boolean> othersRunning() {
    Optional<ProcStat> init = ProcStat.read(initPid).filter(s -> s.startTicks() == initStartTicks);
    if (init.isEmpty() || init.get().zombie()) {
      return Optional.of(false);
    }
    if (!Files.isReadable(childrenFile(initPid))) {
      return Optional.empty();
    }
    return Optional.of(!children(initPid).isEmpty());
  }

  private static Path childrenFile(long pid) {
    String id = Long.toString(pid);
    return PROC.resolve(id).resolve("task").resolve(id).resolve("children");
  }

  private static List<Long> children(long pid) {
    try {
      String text = Files.readString(childrenFile(pid)).trim();
      if (text.isEmpty()) {
        return List.of();
      }
      List<Long> pids = new ArrayList<>();
      for (String child : text.split("\\s+")) {
        pids.add(Long.parseLong(child));
      }
      return pids;
    } catch (IOException | RuntimeException gone) {
      return List.of();
    }
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
