package dev.kiln.dev;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemporalCliTest {

  @TempDir Path tmp;

  private Path pathDir;
  private Path otherPathDir;
  private Path kilnBin;
  private Path userHome;

  @BeforeEach
  void layout() throws IOException {
    pathDir = Files.createDirectories(tmp.resolve("usr-bin"));
    otherPathDir = Files.createDirectories(tmp.resolve("opt-bin"));
    kilnBin = Files.createDirectories(tmp.resolve("kiln/bin"));
    userHome = Files.createDirectories(tmp.resolve("home"));
  }

  private String path() {
    return otherPathDir + File.pathSeparator + pathDir;
  }

  private static Path executable(Path dir) throws IOException {
    Path file = dir.resolve("temporal");
    Files.writeString(file, "#!/bin/sh\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    return file;
  }

  @Test
  void findsTheCliOnPath() throws IOException {
    Path cli = executable(pathDir);

    assertThat(TemporalCli.locate(path(), kilnBin, userHome)).contains(cli);
  }

  @Test
  void pathComesBeforeKilnHome() throws IOException {
    Path onPath = executable(pathDir);
    executable(kilnBin);

    assertThat(TemporalCli.locate(path(), kilnBin, userHome)).contains(onPath);
  }

  @Test
  void earlierPathEntriesWin() throws IOException {
    executable(pathDir);
    Path first = executable(otherPathDir);

    assertThat(TemporalCli.locate(path(), kilnBin, userHome)).contains(first);
  }

  @Test
  void fallsBackToKilnHomeBin() throws IOException {
    Path installed = executable(kilnBin);

    assertThat(TemporalCli.locate(path(), kilnBin, userHome)).contains(installed);
  }

  @Test
  void fallsBackToGoBinAfterKilnHome() throws IOException {
    Path goInstalled = executable(Files.createDirectories(userHome.resolve("go/bin")));

    assertThat(TemporalCli.locate(path(), kilnBin, userHome)).contains(goInstalled);
  }

  @Test
  void ignoresAFileThatIsNotExecutable() throws IOException {
    Files.writeString(pathDir.resolve("temporal"), "not a program");

    assertThat(TemporalCli.locate(path(), kilnBin, userHome)).isEmpty();
  }

  @Test
  void emptyWhenThereIsNoCliAnywhere() {
    assertThat(TemporalCli.locate(null, kilnBin, userHome)).isEmpty();
  }
}
