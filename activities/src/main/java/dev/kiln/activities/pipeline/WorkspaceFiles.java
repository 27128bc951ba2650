package dev.kiln.activities.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads the small files detection looks at. The workspace holds untrusted content: a 2 GiB {@code
 * Makefile} must not take the worker's heap with it, so every read is capped.
 */
final class WorkspaceFiles {

  /** Plenty for a pom.xml, package.json, Cargo.toml or a generated Makefile.in. */
  static final int MAX_BYTES = 4 * 1024 * 1024;

  private WorkspaceFiles() {}

  static boolean isFile(Path workspace, String name) {
    return Files.isRegularFile(workspace.resolve(name));
  }

  /**
   * The file's first {@link #MAX_BYTES} bytes as UTF-8 (malformed bytes replaced), or empty if it
   * is not a regular file.
   */
  static Optional<String> read(Path workspace, String name) throws IOException {
    Path file = workspace.resolve(name);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try (InputStream in = Files.newInputStream(file)) {
      return Optional.of(new String(in.readNBytes(MAX_BYTES), StandardCharsets.UTF_8));
    }
  }
}
