package dev.kiln.activities.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Test helpers around real child processes. Liveness is read straight from /proc here, not through
 * the code under test, so the assertions do not trust what they check.
 */
final class ChildProcesses {

  private ChildProcesses() {}

  /** A shell command that execs {@link FakeBuildTool} in {@code mode}, so the JVM is the leader. */
  static String fakeTool(String... modeAndArgs) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classes = codeSource();
    // Small, quick-starting JVMs: the machine is shared and the tool does next to nothing.
    return "exec '"
        + java
        + "' -Xshare:auto -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx32m -cp '"
        + classes
        + "' "
        + FakeBuildTool.class.getName()
        + " "
        + String.join(" ", modeAndArgs);
  }

  private static String codeSource() {
    try {
      return Path.of(
              FakeBuildTool.class.getProtectionDomain().getCodeSource().getLocation().toURI())
          .toString();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Whether {@code pid} exists and is not a zombie. */
  static boolean running(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state != 'Z' && state != 'X';
    } catch (IOException e) {
      return false;
    }
  }

  /** Pids of non-zombie processes whose process group is {@code pgid}. */
  static List<Long> groupMembers(long pgid) {
    List<Long> members = new ArrayList<>();
    try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
      for (Path entry : entries.toList()) {
        String name = entry.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          String stat = Files.readString(entry.resolve("stat"));
          String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          if (Long.parseLong(fields[2]) == pgid && !fields[0].equals("Z")) {
            members.add(Long.parseLong(name));
          }
        } catch (IOException exited) {
          // gone between listing and reading
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return members;
  }

  /** The number after {@code key=} in {@code text}, e.g. {@code grandchild=1234}. */
  static long number(String text, String key) {
    Matcher m = Pattern.compile(key + "=(\\d+)").matcher(text);
    if (!m.find()) {
      throw new AssertionError("no " + key + "= in output: " + text);
    }
    return Long.parseLong(m.group(1));
  }

  /** Kills {@code pid} if it still runs; for cleaning up after a failed assertion. */
  static void killQuietly(long pid) {
    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
  }

  /** Kills a whole group if it still runs; for cleaning up after a failed assertion. */
  static void killGroupQuietly(long pgid) {
    groupMembers(pgid).forEach(ChildProcesses::killQuietly);
  }
}
