package dev.kiln.activities.capacity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

class MachineLoadTest {

  private static final String MEMINFO =
      """
      MemTotal:       16000000 kB
      MemFree:         1000000 kB
      MemAvailable:    4000000 kB
      Buffers:          200000 kB
      """;

  @TempDir Path proc;

  @Test
  void cpuUseIsTheBusyShareOfTheTicksBetweenTwoReadings() throws IOException {
    write("cpu  100 0 100 800 0 0 0 0 0 0\ncpu0 50 0 50 400 0 0 0 0 0 0\n");
    MachineLoad load = new MachineLoad(proc);
    load.read();
    // +300 busy (user 200, system 100), +100 idle: 75% busy
    write("cpu  300 0 200 880 20 0 0 0 0 0\n");

    assertThat(load.read().cpu()).isCloseTo(0.75, within(0.001));
    assertThat(load.latest().cpu()).isCloseTo(0.75, within(0.001));
  }

  @Test
  void iowaitCountsAsIdle() throws IOException {
    write("cpu  0 0 0 0 0 0 0 0\n");
    MachineLoad load = new MachineLoad(proc);
    load.read();
    write("cpu  10 0 0 45 45 0 0 0\n");

    assertThat(load.read().cpu()).isCloseTo(0.10, within(0.001));
  }

  @Test
  void memoryInUseIsWhatIsNotAvailableSoThePageCacheCountsAsFree() {
    assertThat(MachineLoad.memoryInUse(MEMINFO.lines().toList())).isCloseTo(0.75, within(0.001));
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void readsThisMachine() {
    MachineLoad load = MachineLoad.ofThisMachine();
    load.read();
    Load reading = load.read();

    assertThat(reading.cpu()).isBetween(0.0, 1.0);
    assertThat(reading.memory()).isGreaterThan(0.0).isLessThan(1.0);
  }

  private void write(String stat) throws IOException {
    Files.writeString(proc.resolve("stat"), stat);
    Files.write(proc.resolve("meminfo"), List.of(MEMINFO));
  }
}
