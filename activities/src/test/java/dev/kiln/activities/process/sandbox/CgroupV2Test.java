package dev.kiln.activities.process.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cgroup v2 cannot run here (this machine's controllers are bound to v1), so these tests use a
 * directory laid out as cgroupfs lays one out, and check what the worker writes where.
 */
class CgroupV2Test {

  @TempDir Path root;

  private Path delegatedCgroup(String processes) throws Exception {
    Path own = Files.createDirectories(root.resolve("system.slice/kiln-worker.service"));
    Files.writeString(own.resolve("cgroup.controllers"), "cpuset cpu io memory pids\n");
    Files.writeString(own.resolve("cgroup.subtree_control"), "");
    Files.writeString(own.resolve("cgroup.procs"), processes);
    return own;
  }

  @Test
  void offersTheControllersOnlyWhenTheCgroupHasThemAll() throws Exception {
    Path own = delegatedCgroup("");
    Files.writeString(own.resolve("cgroup.controllers"), "cpu pids\n");

    assertThat(CgroupV2.offers(own, Cgroups.REQUIRED)).isFalse();
    Files.writeString(own.resolve("cgroup.controllers"), "cpu io memory pids\n");
    assertThat(CgroupV2.offers(own, Cgroups.REQUIRED)).isTrue();
  }

  @Test
  void theWorkersProcessesMoveToALeafAndControllersAreEnabledDownToTheBuilds() throws Exception {
    Path own = delegatedCgroup("");
    Files.createDirectories(own.resolve(CgroupV2.WORKER_LEAF));
    Files.writeString(own.resolve(CgroupV2.WORKER_LEAF).resolve("cgroup.procs"), "");

    Cgroups cgroups = CgroupV2.setUp(own, "worker-1");

    assertThat(cgroups.description()).isEqualTo("cgroup v2");
    assertThat(own.resolve("cgroup.subtree_control")).hasContent("+memory +cpu +pids");
    assertThat(own.resolve("kiln.builds/cgroup.subtree_control")).hasContent("+memory +cpu +pids");
    assertThat(own.resolve("kiln.builds/worker-1/cgroup.subtree_control"))
        .hasContent("+memory +cpu +pids");
  }

  @Test
  void theWorkersBuildsTogetherWeighAsManyProcessesAsTheMachineHasCores() throws Exception {
    Path own = delegatedCgroup("");

    CgroupV2.setUp(own, "worker-1");

    String cores = Integer.toString(100 * Runtime.getRuntime().availableProcessors());
    assertThat(own.resolve("kiln.builds/cpu.weight")).hasContent(cores);
    assertThat(own.resolve("kiln.builds/worker-1/cpu.weight")).hasContent(cores);
  }

  @Test
  void aStepsLimitsAreWrittenBeforeAnythingJoins() throws Exception {
    Path own = delegatedCgroup("");
    Cgroups cgroups = CgroupV2.setUp(own, "worker-1");
    Path step = own.resolve("kiln.builds/worker-1/run-7-compile-1");
    Files.createDirectories(step);
    Files.writeString(step.resolve("memory.swap.max"), "max");
    Files.writeString(step.resolve("memory.oom.group"), "0");

    StepCgroup cgroup =
        cgroups.create(
            "run-7-compile-1",
            new ResourceLimits(4L << 30, 1.5, 2048, 10L << 30, Duration.ofMinutes(20)));

    assertThat(step.resolve("memory.max")).hasContent(Long.toString(4L << 30));
    assertThat(step.resolve("memory.swap.max")).hasContent("0");
    assertThat(step.resolve("memory.oom.group")).hasContent("1");
    assertThat(step.resolve("cpu.max"))
        .hasContent(
            Runtime.getRuntime().availableProcessors() > 1.5 ? "150000 100000" : "max 100000");
    assertThat(step.resolve("cpu.weight")).hasContent("150");
    assertThat(step.resolve("pids.max")).hasContent("2048");
    assertThat(cgroup.joinFiles()).containsExactly(step.resolve("cgroup.procs"));
  }

  @Test
  void aStepsHelpersGetItsCpuWeightBesideItWithoutItsLimits() throws Exception {
    Path own = delegatedCgroup("");
    Cgroups cgroups = CgroupV2.setUp(own, "worker-1");

    StepCgroup cgroup =
        cgroups.create(
            "run-7-compile-1",
            new ResourceLimits(4L << 30, 1.5, 2048, 10L << 30, Duration.ofMinutes(20)));

    Path helpers = own.resolve("kiln.builds/worker-1/run-7-compile-1.helpers");
    assertThat(cgroup.helperJoinFiles()).containsExactly(helpers.resolve("cgroup.procs"));
    assertThat(helpers.resolve("cpu.weight")).hasContent("150");
    assertThat(helpers.resolve("pids.max")).doesNotExist();
    assertThat(helpers.resolve("memory.max")).doesNotExist();
  }

  @Test
  void usageComesFromMemoryPeakAndCpuStatAndBreachesFromTheEventFiles() throws Exception {
    Path own = delegatedCgroup("");
    Cgroups cgroups = CgroupV2.setUp(own, "worker-1");
    StepCgroup cgroup =
        cgroups.create("s", new ResourceLimits(1L << 30, 1, 64, 1L << 30, Duration.ofMinutes(1)));
    Path step = own.resolve("kiln.builds/worker-1/s");
    Files.writeString(step.resolve("memory.peak"), "123456789\n");
    Files.writeString(step.resolve("cpu.stat"), "usage_usec 4250000\nuser_usec 4000000\n");
    Files.writeString(step.resolve("memory.events"), "low 0\nhigh 0\nmax 9\noom 1\noom_kill 1\n");
    Files.writeString(step.resolve("pids.events"), "max 17\n");

    assertThat(cgroup.usage()).isEqualTo(new StepUsage(123456789L, 4250L));
    assertThat(cgroup.oomKills()).isEqualTo(1);
    assertThat(cgroup.pidsLimitHits()).isEqualTo(17);
  }

  @Test
  void aCgroupHoldingOtherProcessesThatCannotMoveIsRefusedWithTheReason() throws Exception {
    Path own = delegatedCgroup("1\n");
    // pid 1 exists and the leaf's procs file is a directory here, so writing it fails
    Files.createDirectories(own.resolve(CgroupV2.WORKER_LEAF).resolve("cgroup.procs"));

    assertThatThrownBy(() -> CgroupV2.setUp(own, "worker-1"))
        .isInstanceOf(Cgroups.CgroupsUnavailableException.class)
        .hasMessageContaining("cgroup v2 at " + own)
        .hasMessageContaining("Delegate=yes");
  }

  @Test
  void detectionPrefersV2WithItsControllersAndNamesWhatIsMissingOtherwise() throws Exception {
    Path own = delegatedCgroup("");

    assertThat(Cgroups.detect(new CgroupMounts(Map.of(), Optional.of(own)), "w").description())
        .isEqualTo("cgroup v2");
    Files.writeString(own.resolve("cgroup.controllers"), "cpu\n");
    assertThatThrownBy(
            () -> Cgroups.detect(new CgroupMounts(Map.of("cpu", root), Optional.of(own)), "w"))
        .isInstanceOf(Cgroups.CgroupsUnavailableException.class)
        .hasMessageContaining("does not offer the memory, cpu and pids controllers")
        .hasMessageContaining("cgroup v1 has no memory, pids");
    assertThatThrownBy(() -> Cgroups.detect(new CgroupMounts(Map.of(), Optional.empty()), "w"))
        .hasMessage("no cgroup v2 and no cgroup v1 cpu, memory, pids hierarchy");
  }
}
