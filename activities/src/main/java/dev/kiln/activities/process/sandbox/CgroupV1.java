package dev.kiln.activities.process.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cgroup v1: each controller has its own hierarchy (some co-mounted, such as {@code cpu,cpuacct}),
 * so a step's cgroup is one directory per hierarchy: {@code <worker's cgroup>/kiln/<worker>/<step>}
 * in each of memory, cpu, pids, and cpuacct when it is there (for CPU time).
 */
final class CgroupV1 implements Cgroups {

  private static final Logger log = LoggerFactory.getLogger(CgroupV1.class);

  static final String KILN = "kiln";

  /** controller → this worker's directory in its hierarchy. */
  private final Map<String, Path> bases;

  private CgroupV1(Map<String, Path> bases) {
    this.bases = bases;
  }

  /**
   * Creates this worker's directory in each hierarchy (proving it may), after removing what earlier
   * workers in the same cgroup left: step cgroups whose processes are all gone.
   */
  static Cgroups setUp(Map<String, Path> own, String workerId) throws CgroupsUnavailableException {
    Map<String, Path> bases = new LinkedHashMap<>();
    for (String controller : List.of("memory", "cpu", "pids", "cpuacct")) {
      Path dir = own.get(controller);
      if (dir == null) {
        continue;
      }
      Path kiln = dir.resolve(KILN);
      removeEmptyLeftovers(kiln);
      Path base = kiln.resolve(workerId);
      try {
        Files.createDirectories(base);
      } catch (IOException e) {
        throw new CgroupsUnavailableException(
            "cgroup v1 " + controller + ": cannot create " + base + " (" + e + ")");
      }
      bases.put(controller, base);
    }
    Path cpu = bases.get("cpu");
    if (cpu != null) {
      String shares = Long.toString(CpuShare.buildsShares());
      try {
        CgroupFiles.write(cpu.getParent().resolve("cpu.shares"), shares);
        CgroupFiles.write(cpu.resolve("cpu.shares"), shares);
      } catch (IOException e) {
        throw new CgroupsUnavailableException("cgroup v1 cpu: " + e.getMessage());
      }
    }
    return new CgroupV1(bases);
  }

  @Override
  public String description() {
    return "cgroup v1";
  }

  @Override
  public StepCgroup create(String name, ResourceLimits limits) throws IOException {
    Map<String, Path> dirs = new LinkedHashMap<>();
    for (Map.Entry<String, Path> base : bases.entrySet()) {
      Path dir = base.getValue().resolve(name);
      if (!dirs.containsValue(dir)) {
        Files.createDirectories(dir);
      }
      dirs.put(base.getKey(), dir);
    }
    Step step = new Step(dirs);
    try {
      Path memory = dirs.get("memory");
      CgroupFiles.write(
          memory.resolve("memory.limit_in_bytes"), Long.toString(limits.memoryBytes()));
      // Without swap accounting a limited step would swap instead of stopping.
      CgroupFiles.writeIfPresent(
          memory.resolve("memory.memsw.limit_in_bytes"), Long.toString(limits.memoryBytes()));
      Path cpu = dirs.get("cpu");
      CgroupFiles.write(cpu.resolve("cpu.shares"), Long.toString(CpuShare.shares(limits.cpus())));
      CgroupFiles.write(cpu.resolve("cpu.cfs_period_us"), Long.toString(CpuShare.PERIOD_MICROS));
      CgroupFiles.write(
          cpu.resolve("cpu.cfs_quota_us"), Long.toString(CpuShare.quotaMicros(limits.cpus())));
      CgroupFiles.write(dirs.get("pids").resolve("pids.max"), Integer.toString(limits.pids()));
    } catch (IOException e) {
      step.close();
      throw e;
    }
    return step;
  }

  @Override
  public void close() {
    for (Path base : new LinkedHashSet<>(bases.values())) {
      removeEmptyLeftovers(base.getParent());
    }
  }

  /**
   * Removes the step cgroups under {@code kiln} that no process uses any more, then the worker
   * directories left empty, then {@code kiln} itself if empty. A live worker's busy steps stay.
   */
  private static void removeEmptyLeftovers(Path kiln) {
    if (!Files.isDirectory(kiln)) {
      return;
    }
    try (Stream<Path> workers = Files.list(kiln)) {
      for (Path worker : workers.filter(Files::isDirectory).toList()) {
        try (Stream<Path> steps = Files.list(worker)) {
          for (Path step : steps.filter(Files::isDirectory).toList()) {
            if (isEmpty(step)) {
              quietlyRemove(step);
            }
          }
        }
        if (isEmpty(worker) && !hasChildren(worker)) {
          quietlyRemove(worker);
        }
      }
      if (!hasChildren(kiln)) {
        quietlyRemove(kiln);
      }
    } catch (IOException e) {
      log.debug("cannot tidy {}: {}", kiln, e.toString());
    }
  }

  private static boolean isEmpty(Path cgroup) {
    try {
      return Files.readString(cgroup.resolve("cgroup.procs")).isBlank();
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean hasChildren(Path cgroup) throws IOException {
    try (Stream<Path> entries = Files.list(cgroup)) {
      return entries.anyMatch(Files::isDirectory);
    }
  }

  private static void quietlyRemove(Path dir) {
    try {
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      log.debug("cannot remove {}: {}", dir, e.toString());
    }
  }

  private record Step(Map<String, Path> dirs) implements StepCgroup {

    @Override
    public List<Path> joinFiles() {
      List<Path> files = new ArrayList<>();
      for (Path dir : new LinkedHashSet<>(dirs.values())) {
        files.add(dir.resolve("tasks"));
      }
      return files;
    }

    /** The step's directory in the cpu hierarchy alone. */
    @Override
    public List<Path> helperJoinFiles() {
      return List.of(dirs.get("cpu").resolve("tasks"));
    }

    @Override
    public StepUsage usage() {
      Long peak =
          CgroupFiles.number(dirs.get("memory").resolve("memory.max_usage_in_bytes")).orElse(null);
      Long cpu =
          Optional.ofNullable(dirs.get("cpuacct"))
              .flatMap(dir -> CgroupFiles.number(dir.resolve("cpuacct.usage")))
              .map(nanos -> nanos / 1_000_000)
              .orElse(null);
      return new StepUsage(peak, cpu);
    }

    @Override
    public long oomKills() {
      return CgroupFiles.keyed(dirs.get("memory").resolve("memory.oom_control"), "oom_kill");
    }

    @Override
    public long pidsLimitHits() {
      return CgroupFiles.keyed(dirs.get("pids").resolve("pids.events"), "max");
    }

    @Override
    public void close() {
      for (Path dir : new LinkedHashSet<>(dirs.values())) {
        CgroupFiles.remove(dir);
      }
    }
  }
}
