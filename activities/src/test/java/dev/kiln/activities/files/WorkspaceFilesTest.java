package dev.kiln.activities.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The worker reads the build's workspace from outside the sandbox: links must not lead it out. */
class WorkspaceFilesTest {

  @TempDir Path workspace;
  @TempDir Path outside;

  @Test
  void aLinkToAFileOutsideTheWorkspaceIsNoFileAndIsNeverRead() throws IOException {
    Path token = Files.writeString(outside.resolve("worker.token"), "worker-token-3f9a");
    Files.createSymbolicLink(workspace.resolve("package.json"), token);

    assertThat(WorkspaceFiles.isFile(workspace, "package.json")).isFalse();
    assertThat(WorkspaceFiles.read(workspace, "package.json")).isEmpty();
    assertThatThrownBy(
            () -> WorkspaceFiles.openInside(workspace, workspace.resolve("package.json")))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("not a regular file in the workspace");
  }

  @Test
  void aFileReachedThroughADirectoryLinkedOutsideIsNeverRead() throws IOException {
    Files.writeString(outside.resolve("environ"), "KILN_TOKEN=worker-token-3f9a");
    Files.createSymbolicLink(workspace.resolve("proc"), outside);

    assertThat(WorkspaceFiles.isFile(workspace, "proc/environ")).isFalse();
    assertThat(WorkspaceFiles.read(workspace, "proc/environ")).isEmpty();
  }

  @Test
  void aLinkWithinTheWorkspaceIsReadAsTheFileItNames() throws IOException {
    Files.createDirectories(workspace.resolve("build"));
    Files.writeString(workspace.resolve("build/Makefile"), "all:\n");
    Files.createSymbolicLink(workspace.resolve("Makefile"), Path.of("build/Makefile"));

    assertThat(WorkspaceFiles.isFile(workspace, "Makefile")).isTrue();
    assertThat(WorkspaceFiles.read(workspace, "Makefile")).contains("all:\n");
    try (InputStream in = WorkspaceFiles.openInside(workspace, workspace.resolve("Makefile"))) {
      assertThat(new String(in.readAllBytes())).isEqualTo("all:\n");
    }
  }

  @Test
  void aDirectoryOrAMissingFileIsNoFile() throws IOException {
    Files.createDirectories(workspace.resolve("src"));

    assertThat(WorkspaceFiles.isFile(workspace, "src")).isFalse();
    assertThat(WorkspaceFiles.isFile(workspace, "missing")).isFalse();
    assertThat(WorkspaceFiles.read(workspace, "missing")).isEmpty();
  }
}
