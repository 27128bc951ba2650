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

  @BeforeEach
  void layout() throws IOException {
    pathDir = Files.createDirectories(tmp.resolve("usr-bin"));
    otherPathDir = Files.createDirectories(tmp.resolve("opt-bin"));
  }

  private String path() {
    return otherPathDir + File.pathSeparator + pathDir;
  }

  static Path script(Path file, String body) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    return file;
  }

  @Test
  void findsTheCliOnPath() throws IOException {
    Path cli = script(pathDir.resolve("temporal"), "");

    assertThat(TemporalCli.onPath(path())).contains(cli);
  }

  @Test
  void earlierPathEntriesWin() throws IOException {
    script(pathDir.resolve("temporal"), "");
    Path first = script(otherPathDir.resolve("temporal"), "");

    assertThat(TemporalCli.onPath(path())).contains(first);
  }

  @Test
  void ignoresAFileThatIsNotExecutable() throws IOException {
    Files.writeString(pathDir.resolve("temporal"), "not a program");

    assertThat(TemporalCli.onPath(path())).isEmpty();
  }

  @Test
  void emptyWithoutPath() {
    assertThat(TemporalCli.onPath(null)).isEmpty();
  }

  @Test
  void asksTheCliForItsVersion() throws IOException {
    Path cli =
        script(
            pathDir.resolve("temporal"),
            "[ \"$1\" = --version ] && echo 'temporal version 1.9.1 (Server 1.32.0, UI 2.54.1)'");

    assertThat(TemporalCli.version(cli))
        .map(Object::toString)
        .contains("CLI 1.9.1, Server 1.32.0, UI 2.54.1");
  }

  @Test
  void aCliThatFailsOrSaysNothingUsefulHasNoVersion() throws IOException {
    assertThat(TemporalCli.version(script(pathDir.resolve("failing"), "echo boom; exit 3")))
        .isEmpty();
    assertThat(TemporalCli.version(script(pathDir.resolve("mute"), "echo hello"))).isEmpty();
    assertThat(TemporalCli.version(pathDir.resolve("missing"))).isEmpty();
  }
}
