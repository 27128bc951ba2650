package dev.kiln.activities.process.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The cgroups this worker puts its build steps in: one per step, below the worker's own cgroup,
 * with the step's limits written into it before its first process joins.
 */
public interface Cgroups {

  /** The controllers a step's limits need. */
  Set<String> REQUIRED = Set.of("memory", "cpu", "pids");

  /** "cgroup v1" or "cgroup v2", for logs and the run view. */
  String description();

  /** A new cgroup for one step, limited; {@code name} is unique among this worker's steps. */
  StepCgroup create(String name, ResourceLimits limits) throws IOException;

  /** Removes this worker's cgroups once its steps are gone (at shutdown). */
  void close();

  /**
   * The cgroups of this process, or why there are none usable: cgroup v2 with the memory, cpu and
   * pids controllers available, else cgroup v1 with those three mounted and writable.
   *
   * @param workerId names this worker's subtree, so workers sharing a cgroup do not collide
   */
  static Cgroups detect(String workerId) throws CgroupsUnavailableException {
    CgroupMounts mounts;
    try {
      mounts =
          CgroupMounts.parse(
              Files.readString(Path.of("/proc/self/mountinfo")),
              Files.readString(Path.of("/proc/self/cgroup")));
    } catch (IOException e) {
      throw new CgroupsUnavailableException("cannot read /proc/self/cgroup: " + e.getMessage());
    }
    return detect(mounts, workerId);
  }

  static Cgroups detect(CgroupMounts mounts, String workerId) throws CgroupsUnavailableException {
    Optional<Path> unified = mounts.v2();
    if (unified.isPresent() && CgroupV2.offers(unified.get(), REQUIRED)) {
      return CgroupV2.setUp(unified.get(), workerId);
    }
    List<String> missing =
        REQUIRED.stream().filter(c -> !mounts.v1().containsKey(c)).sorted().toList();
    if (!missing.isEmpty()) {
      throw new CgroupsUnavailableException(
          unified.isPresent()
              ? "cgroup v2 at "
                  + unified.get()
                  + " does not offer the memory, cpu and pids controllers to this process, and"
                  + " cgroup v1 has no "
                  + String.join(", ", missing)
              : "no cgroup v2 and no cgroup v1 " + String.join(", ", missing) + " hierarchy");
    }
    return CgroupV1.setUp(mounts.v1(), workerId);
  }

  /** Why cgroups cannot limit builds here, in words an operator can act on. */
  final class CgroupsUnavailableException extends Exception {
    public CgroupsUnavailableException(String message) {
      super(message);
    }
  }
}
