package dev.kiln.activities.process.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CgroupMountsTest {

  @Test
  void cgroupV1FindsEachControllersHierarchyIncludingCoMountedOnes() {
    String mountinfo =
        """
        22 1 0:21 / /proc rw,nosuid - proc proc rw
        31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
        35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
        40 31 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        """;
    String self =
        """
        8:pids:/user.slice
        4:memory:/process_api/f03d
        2:cpu,cpuacct:/
        0::/user.slice/session-1.scope
        """;

    CgroupMounts mounts = CgroupMounts.parse(mountinfo, self);

    assertThat(mounts.v1())
        .containsEntry("memory", Path.of("/sys/fs/cgroup/memory/process_api/f03d"))
        .containsEntry("cpu", Path.of("/sys/fs/cgroup/cpu,cpuacct"))
        .containsEntry("cpuacct", Path.of("/sys/fs/cgroup/cpu,cpuacct"))
        .containsEntry("pids", Path.of("/sys/fs/cgroup/pids/user.slice"));
    assertThat(mounts.v2()).contains(Path.of("/sys/fs/cgroup/unified/user.slice/session-1.scope"));
  }

  @Test
  void cgroupV2AloneHasNoV1Controllers() {
    String mountinfo =
        "30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec - cgroup2 cgroup2 rw,nsdelegate\n";
    String self = "0::/system.slice/kiln-worker.service\n";

    CgroupMounts mounts = CgroupMounts.parse(mountinfo, self);

    assertThat(mounts.v1()).isEmpty();
    assertThat(mounts.v2()).contains(Path.of("/sys/fs/cgroup/system.slice/kiln-worker.service"));
  }

  @Test
  void aContainerThatMountsOnlyItsOwnSubtreeResolvesRelativeToTheMountRoot() {
    String mountinfo =
        "30 23 0:26 /kubepods/pod1 /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"
            + "31 23 0:27 /other /mnt/elsewhere rw - cgroup2 cgroup2 rw\n";
    String self = "0::/kubepods/pod1/worker\n";

    assertThat(CgroupMounts.parse(mountinfo, self).v2()).contains(Path.of("/sys/fs/cgroup/worker"));
  }

  @Test
  void escapedSpacesInMountPointsAreUnescaped() {
    String mountinfo = "30 23 0:26 / /sys/fs/my\\040cgroup rw - cgroup2 cgroup2 rw\n";

    assertThat(CgroupMounts.parse(mountinfo, "0::/\n").v2())
        .isEqualTo(Optional.of(Path.of("/sys/fs/my cgroup")));
  }
}
