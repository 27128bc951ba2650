package dev.kiln.activities.process;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The programs that start a build step before its sandbox is in place ({@code setsid}, {@code
 * prlimit}), by absolute path, found once in the system's own directories. By a bare name they
 * would be looked up at the step's start: {@code setsid} by the JVM in the worker's {@code PATH}
 * from the step's workspace (where an empty or relative entry finds a committed {@code ./setsid}),
 * and whatever {@code setsid} runs next in the step's own {@code PATH}, which a repository sets.
 */
public final class HostPrograms {

  private static final List<String> SYSTEM_DIRECTORIES =
      List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin");

  /** util-linux's setsid. */
  public static final String SETSID = find("setsid");

  /** util-linux's prlimit. */
  public static final String PRLIMIT = find("prlimit");

  private HostPrograms() {}

  /**
   * {@code name} in the first system directory that has it, as an absolute path; the bare name when
   * none does (the start then fails, or finds it in the worker's {@code PATH}, as before).
   */
  static String find(String name) {
    return firstIn(SYSTEM_DIRECTORIES, name).map(Path::toString).orElse(name);
  }

  /** The executable {@code name} in the first of {@code directories} that has it, absolute. */
  public static Optional<Path> firstIn(List<String> directories, String name) {
    for (String directory : directories) {
      if (directory.isBlank()) {
        continue;
      }
      Path candidate = Path.of(directory, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate.toAbsolutePath());
      }
    }
    return Optional.empty();
  }
}
