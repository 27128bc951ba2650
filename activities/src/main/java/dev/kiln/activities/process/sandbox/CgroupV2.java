package dev.kiln.activities.process.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cgroup v2, one unified hierarchy. A cgroup with controllers enabled for its children may hold no
 * processes itself, so the worker's cgroup (delegated to it, as systemd's {@code Delegate=yes}
 * does) is split: its processes move into the leaf {@code kiln.worker}, and steps go under {@code
 * kiln.builds/<worker>/<step>}, with memory, cpu and pids enabled down the way.
 */
final class CgroupV2 implements Cgroups {

  private static final Logger log = LoggerFactory.getLogger(CgroupV2.class);

  static final String WORKER_LEAF = "kiln.worker";
  static final String BUILDS = "kiln.builds";

  /** The suffix of the cgroup beside a step's that its helpers (the output relay) join. */
  static final String HELPERS = ".helpers";

  private static final String ENABLE = "+memory +cpu +pids";

  private final Path base;

  private CgroupV2(Path base) {
    this.base = base;
  }

  /** Whether the cgroup {@code own} may hand {@code controllers} to children. */
  static boolean offers(Path own, Set<String> controllers) {
    try {
      Set<String> available =
          Set.of(Files.readString(own.resolve("cgroup.controllers")).trim().split("\\s+"));
      return available.containsAll(controllers);
    } catch (IOException e) {
      return false;
    }
  }

  static Cgroups setUp(Path own, String workerId) throws CgroupsUnavailableException {
    try {
      if (!enabledForChildren(own)) {
        moveProcessesToLeaf(own);
        CgroupFiles.write(own.resolve("cgroup.subtree_control"), ENABLE);
      }
      Path builds = own.resolve(BUILDS);
      Files.createDirectories(builds);
      if (!enabledForChildren(builds)) {
        CgroupFiles.write(builds.resolve("cgroup.subtree_control"), ENABLE);
      }
      Path base = builds.resolve(workerId);
      Files.createDirectories(base);
      if (!enabledForChildren(base)) {
        CgroupFiles.write(base.resolve("cgroup.subtree_control"), ENABLE);
      }
      String weight = Long.toString(CpuShare.buildsWeight());
      CgroupFiles.write(builds.resolve("cpu.weight"), weight);
      CgroupFiles.write(base.resolve("cpu.weight"), weight);
      return new CgroupV2(base);
    } catch (IOException e) {
      throw new CgroupsUnavailableException(
          "cgroup v2 at "
              + own
              + ": "
              + e.getMessage()
              + " (the worker needs a cgroup of its own, delegated to its user: systemd"
              + " Delegate=yes)");
    }
  }

  private static boolean enabledForChildren(Path cgroup) throws IOException {
    Path control = cgroup.resolve("cgroup.subtree_control");
    if (!Files.exists(control)) {
      return false;
    }
    Set<String> enabled = Set.of(Files.readString(control).trim().split("\\s+"));
    return enabled.containsAll(REQUIRED);
  }

  /** The "no internal processes" rule: whatever runs in {@code own} moves to its leaf. */
  private static void moveProcessesToLeaf(Path own) throws IOException {
    Path leaf = own.resolve(WORKER_LEAF);
    Files.createDirectories(leaf);
    List<String> pids =
        Arrays.stream(Files.readString(own.resolve("cgroup.procs")).split("\\s+"))
            .filter(p -> !p.isBlank())
            .toList();
    for (String pid : pids) {
      try {
        CgroupFiles.write(leaf.resolve("cgroup.procs"), pid);
      } catch (IOException e) {
        if (ProcessHandle.of(Long.parseLong(pid)).isPresent()) {
          throw e;
        }
        // exited meanwhile
      }
    }
  }

  @Override
  public String description() {
    return "cgroup v2";
  }

  @Override
  public StepCgroup create(String name, ResourceLimits limits) throws IOException {
    Path dir = base.resolve(name);
    Files.createDirectories(dir);
    Path helpers = base.resolve(name + HELPERS);
    Files.createDirectories(helpers);
    Step step = new Step(dir, helpers);
    try {
      // Beside the step, not in it: as much CPU weight, none of its memory or process limits.
      CgroupFiles.write(
          helpers.resolve("cpu.weight"), Long.toString(CpuShare.weight(limits.cpus())));
      CgroupFiles.write(dir.resolve("memory.max"), Long.toString(limits.memoryBytes()));
      CgroupFiles.writeIfPresent(dir.resolve("memory.swap.max"), "0");
      // One process over the limit ends the whole step, as a build that lost a compiler would.
      CgroupFiles.writeIfPresent(dir.resolve("memory.oom.group"), "1");
      CgroupFiles.write(dir.resolve("cpu.weight"), Long.toString(CpuShare.weight(limits.cpus())));
      long quota = CpuShare.quotaMicros(limits.cpus());
      CgroupFiles.write(
          dir.resolve("cpu.max"),
          (quota < 0 ? "max" : Long.toString(quota)) + " " + CpuShare.PERIOD_MICROS);
      CgroupFiles.write(dir.resolve("pids.max"), Integer.toString(limits.pids()));
    } catch (IOException e) {
      step.close();
      throw e;
    }
    return step;
  }

  @Override
  public void close() {
    try (var steps = Files.list(base)) {
      for (Path step : steps.filter(Files::isDirectory).toList()) {
        CgroupFiles.remove(step);
      }
    } catch (IOException e) {
      log.debug("cannot list {}: {}", base, e.toString());
    }
    CgroupFiles.remove(base);
  }

  private record Step(Path dir, Path helpers) implements StepCgroup {

    @Override
    public List<Path> joinFiles() {
      return List.of(dir.resolve("cgroup.procs"));
    }

    @Override
    public List<Path> helperJoinFiles() {
      return List.of(helpers.resolve("cgroup.procs"));
    }

    @Override
    public StepUsage usage() {
      // memory.peak came with Linux 5.19; before it there is no peak to read.
      Long peak = CgroupFiles.number(dir.resolve("memory.peak")).orElse(null);
      long micros = CgroupFiles.keyed(dir.resolve("cpu.stat"), "usage_usec");
      return new StepUsage(peak, Files.exists(dir.resolve("cpu.stat")) ? micros / 1000 : null);
    }

    @Override
    public long oomKills() {
      return CgroupFiles.keyed(dir.resolve("memory.events"), "oom_kill");
    }

    @Override
    public long pidsLimitHits() {
      return CgroupFiles.keyed(dir.resolve("pids.events"), "max");
    }

    @Override
    public void close() {
      CgroupFiles.remove(dir);
      CgroupFiles.remove(helpers);
    }
  }

  @Override
  public String toString() {
    return description() + " " + base;
  }
}
