package dev.kiln.activities.process.sandbox;

import dev.kiln.activities.process.HostPrograms;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How a worker's {@link BwrapSandbox} is set up, with what it hides resolved against this machine.
 *
 * @param bwrap the bubblewrap executable, or {@code null} when none is installed
 * @param kilnHome KILN_HOME: hidden, but for the run's workspace and its repository's mirror
 * @param home the worker user's home (Java's {@code user.home}): replaced by the run's own
 * @param hiddenDirectories existing directories replaced by empty ones
 * @param hiddenFiles existing files replaced by empty ones
 * @param tools existing paths inside hidden places shown read-only (directories on the worker's
 *     {@code PATH} under its home, {@link #KNOWN_TOOLCHAINS}, the target of {@code
 *     /etc/resolv.conf})
 * @param maxima the limits a step gets unless its plan asks for less
 * @param enforcement what enforces the limits
 * @param workerId names this worker's cgroups
 */
public record SandboxSettings(
    Path bwrap,
    Path kilnHome,
    Path home,
    List<Path> hiddenDirectories,
    List<Path> hiddenFiles,
    List<Path> tools,
    ResourceLimits maxima,
    Enforcement enforcement,
    String workerId) {

  /** What enforces a step's resource limits. */
  public enum Enforcement {
    /** A cgroup per step: memory, CPU and processes of the step as a whole (the default). */
    CGROUP,
    /**
     * {@code prlimit}, for machines without usable cgroups, chosen explicitly: memory per process,
     * processes per user (not for root), no CPU limit, no usage figures.
     */
    PRLIMIT
  }

  /**
   * Toolchain managers' installations under the worker's home, shown read-only when they exist:
   * their shims and proxies on the worker's {@code PATH} need them.
   */
  static final List<String> KNOWN_TOOLCHAINS =
      List.of(".rustup", ".pyenv", ".sdkman/candidates", ".nvm/versions");

  /** Directories hidden on every machine, where they exist. */
  static final List<String> DEFAULT_HIDDEN_DIRECTORIES =
      List.of("/root", "/home", "/run", "/var/lib/postgresql");

  /**
   * Files hidden on every machine: what a build running as root could read although nothing should
   * (builds run as the worker's user, with no capabilities, but root owns these).
   */
  static final List<String> DEFAULT_HIDDEN_FILES = List.of("/etc/shadow", "/etc/gshadow");

  public SandboxSettings {
    hiddenDirectories = List.copyOf(hiddenDirectories);
    hiddenFiles = List.copyOf(hiddenFiles);
    tools = List.copyOf(tools);
  }

  /**
   * The settings for a worker on this machine.
   *
   * @param env the worker's environment: {@code PATH} (to find bwrap and the toolchains), {@code
   *     HOME}, {@code RUSTUP_HOME}, {@code KILN_INTERNAL_TOKEN_FILE}
   * @param extraHidden more paths to hide ({@code kiln.worker.sandbox-hide})
   * @param extraTools more paths to show read-only ({@code kiln.worker.sandbox-tools})
   */
  public static SandboxSettings forWorker(
      Path kilnHome,
      Map<String, String> env,
      List<Path> extraHidden,
      List<Path> extraTools,
      ResourceLimits maxima,
      Enforcement enforcement,
      String workerId) {
    Path home = Path.of(System.getProperty("user.home")).toAbsolutePath().normalize();
    Set<Path> hidden = new LinkedHashSet<>();
    hidden.add(kilnHome.toAbsolutePath().normalize());
    DEFAULT_HIDDEN_DIRECTORIES.forEach(d -> hidden.add(Path.of(d)));
    Optional.ofNullable(env.get("HOME")).map(Path::of).ifPresent(hidden::add);
    Optional.ofNullable(env.get("KILN_INTERNAL_TOKEN_FILE")).map(Path::of).ifPresent(hidden::add);
    DEFAULT_HIDDEN_FILES.forEach(f -> hidden.add(Path.of(f)));
    hidden.addAll(sshHostKeys());
    extraHidden.forEach(p -> hidden.add(p.toAbsolutePath().normalize()));
    List<Path> dirs = new ArrayList<>();
    List<Path> files = new ArrayList<>();
    for (Path path : hidden) {
      Path p = path.toAbsolutePath().normalize();
      if (p.equals(home) || p.getParent() == null) {
        continue;
      }
      if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        dirs.add(p);
      } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
        files.add(p);
      }
    }
    List<Path> covered = new ArrayList<>(dirs);
    covered.add(home);
    Set<Path> tools = new LinkedHashSet<>();
    for (String entry : env.getOrDefault("PATH", "").split(":")) {
      if (!entry.isBlank() && Path.of(entry).isAbsolute()) {
        tools.add(Path.of(entry).normalize());
      }
    }
    Optional.ofNullable(env.get("RUSTUP_HOME")).map(Path::of).ifPresent(tools::add);
    KNOWN_TOOLCHAINS.forEach(t -> tools.add(home.resolve(t)));
    resolvConf().ifPresent(tools::add);
    extraTools.forEach(p -> tools.add(p.toAbsolutePath().normalize()));
    List<Path> candidates =
        tools.stream()
            .filter(Files::exists)
            .filter(tool -> covered.stream().anyMatch(tool::startsWith))
            .sorted(Comparator.comparingInt(Path::getNameCount))
            .toList();
    List<Path> shown = new ArrayList<>();
    for (Path tool : candidates) {
      if (shown.stream().noneMatch(tool::startsWith)) {
        shown.add(tool);
      }
    }
    return new SandboxSettings(
        findOnPath("bwrap", env).orElse(null),
        kilnHome.toAbsolutePath().normalize(),
        home,
        dirs,
        files,
        shown,
        maxima,
        enforcement,
        workerId);
  }

  /** {@code name} on the {@code PATH} of {@code env}, as an absolute path. */
  static Optional<Path> findOnPath(String name, Map<String, String> env) {
    return HostPrograms.firstIn(
        List.of(env.getOrDefault("PATH", "/usr/bin:/bin").split(":")), name);
  }

  /** sshd's private host keys, which identify this machine to everyone who connects to it. */
  private static List<Path> sshHostKeys() {
    List<Path> keys = new ArrayList<>();
    Path ssh = Path.of("/etc/ssh");
    if (Files.isDirectory(ssh)) {
      try (DirectoryStream<Path> found = Files.newDirectoryStream(ssh, "ssh_host_*_key")) {
        found.forEach(keys::add);
      } catch (IOException e) {
        // nothing to hide then
      }
    }
    return keys;
  }

  /**
   * Where {@code /etc/resolv.conf} really is: on a host with systemd-resolved, a file under {@code
   * /run}, which is hidden, and without it a build could not resolve a host name.
   */
  private static Optional<Path> resolvConf() {
    try {
      return Optional.of(Path.of("/etc/resolv.conf").toRealPath());
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
