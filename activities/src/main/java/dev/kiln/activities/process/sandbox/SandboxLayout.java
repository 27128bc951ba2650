package dev.kiln.activities.process.sandbox;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one build step sees of the host's filesystem, as host paths. Everything is read-only except
 * {@link #workspace}, the run's home, the step's temporary directory and the repository's caches.
 *
 * @param workspace the run's checkout: read-write, at the same path inside
 * @param home the path the build sees as {@code HOME} (the worker user's own home directory, so
 *     tools that ask the password database rather than {@code $HOME}, such as Java's {@code
 *     user.home}, agree)
 * @param runHome the host directory shown at {@code home}: this run's own, read-write
 * @param stepTmp the host directory shown at each of {@code tmpPaths}: this step's own
 * @param tmpPaths the temporary directories of the host ({@code /tmp}, {@code /var/tmp} where it
 *     exists), each replaced by {@code stepTmp}
 * @param hiddenDirectories replaced by empty read-only directories (KILN_HOME, other homes, {@code
 *     /run} …)
 * @param hiddenFiles replaced by an empty file (the worker token file, {@code /etc/shadow} …)
 * @param readOnly shown read-only although under a hidden directory or the home (the repository's
 *     mirror, toolchains under the worker's home)
 * @param caches read-write directories shown inside {@code home}: path relative to the home → host
 *     directory (this repository's dependency caches)
 * @param network whether the step shares the host's network; otherwise it gets an empty network
 *     namespace of its own (loopback only)
 */
public record SandboxLayout(
    Path workspace,
    Path home,
    Path runHome,
    Path stepTmp,
    List<Path> tmpPaths,
    List<Path> hiddenDirectories,
    List<Path> hiddenFiles,
    List<Path> readOnly,
    Map<String, Path> caches,
    boolean network) {

  public SandboxLayout {
    Objects.requireNonNull(workspace, "workspace");
    Objects.requireNonNull(home, "home");
    Objects.requireNonNull(runHome, "runHome");
    Objects.requireNonNull(stepTmp, "stepTmp");
    tmpPaths = List.copyOf(tmpPaths);
    hiddenDirectories = List.copyOf(hiddenDirectories);
    hiddenFiles = List.copyOf(hiddenFiles);
    readOnly = List.copyOf(readOnly);
    caches = Map.copyOf(caches);
  }
}
