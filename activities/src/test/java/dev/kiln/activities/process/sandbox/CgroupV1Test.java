package dev.kiln.activities.process.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the worker writes into cgroup v1 hierarchies, in directories laid out as cgroupfs lays them
 * out ({@code SandboxIT} runs the real ones).
 */
class CgroupV1Test {

  @TempDir Path root;

  @Test
  void theWorkersBuildsTogetherWeighAsManyProcessesAsTheMachineHasCores() throws Exception {
    Map<String, Path> own =
        Map.of(
            "cpu", Files.createDirectories(root.resolve("cpu")),
            "memory", Files.createDirectories(root.resolve("memory")),
            "pids", Files.createDirectories(root.resolve("pids")));

    CgroupV1.setUp(own, "worker-1");

    String cores = Integer.toString(1024 * Runtime.getRuntime().availableProcessors());
    assertThat(root.resolve("cpu/kiln/cpu.shares")).hasContent(cores);
    assertThat(root.resolve("cpu/kiln/worker-1/cpu.shares")).hasContent(cores);
    assertThat(root.resolve("memory/kiln/worker-1")).isDirectory();
  }

  @Test
  void aStepsHelpersJoinOnlyItsCpuCgroup() throws Exception {
    Map<String, Path> own =
        Map.of(
            "cpu", Files.createDirectories(root.resolve("cpu")),
            "memory", Files.createDirectories(root.resolve("memory")),
            "pids", Files.createDirectories(root.resolve("pids")));
    Cgroups cgroups = CgroupV1.setUp(own, "worker-1");

    StepCgroup step =
        cgroups.create("s", new ResourceLimits(1L << 30, 1, 64, 1L << 30, Duration.ofMinutes(1)));

    assertThat(step.helperJoinFiles()).containsExactly(root.resolve("cpu/kiln/worker-1/s/tasks"));
    assertThat(step.joinFiles()).hasSize(3);
  }
}
