package dev.kiln.dev;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against real processes: a {@code sleep} stands in for a server a crashed dev stack left. */
class LeftoverProcessTest {

  @TempDir Path tmp;

  @Test
  void endsTheRecordedProcessWhenItIsTheExpectedOne() throws IOException {
    Process leftover = new ProcessBuilder("sleep", "300").start();
    Path pidFile = tmp.resolve("server.pid");
    Files.writeString(pidFile, leftover.pid() + "\n");

    try {
      assertThat(LeftoverProcess.endRecorded(pidFile, "sleep", "test server")).isTrue();
      assertThat(leftover.isAlive()).isFalse();
    } finally {
      leftover.destroyForcibly();
    }
  }

  @Test
  void leavesAProcessAloneWhoseCommandDoesNotMatch() throws IOException {
    Process unrelated = new ProcessBuilder("sleep", "300").start();
    Path pidFile = tmp.resolve("server.pid");
    Files.writeString(pidFile, Long.toString(unrelated.pid()));

    try {
      assertThat(LeftoverProcess.endRecorded(pidFile, "temporal", "Temporal dev server")).isFalse();
      assertThat(unrelated.isAlive()).isTrue();
    } finally {
      unrelated.destroyForcibly();
    }
  }

  @Test
  void ignoresAMissingOrGarbledPidFile() throws IOException {
    assertThat(LeftoverProcess.endRecorded(tmp.resolve("none.pid"), "x", "x")).isFalse();
    Path garbled = Files.writeString(tmp.resolve("garbled.pid"), "not a pid");
    assertThat(LeftoverProcess.endRecorded(garbled, "x", "x")).isFalse();
  }
}
