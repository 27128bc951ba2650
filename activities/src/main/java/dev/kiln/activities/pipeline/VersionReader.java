package dev.kiln.activities.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.activities.files.WorkspaceFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The project version a run shows next to its result, read from the first of pom.xml, Cargo.toml
 * and package.json found at the workspace root. Informational only: a file that cannot be read or a
 * version that cannot be worked out gives null, never a failed run.
 */
public final class VersionReader {

  private static final Logger log = LoggerFactory.getLogger(VersionReader.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The version, or {@code null} when there is none (or none Kiln can determine). */
  public String read(Path workspace) {
    try {
      Optional<String> pom = WorkspaceFiles.read(workspace, "pom.xml");
      if (pom.isPresent()) {
        return PomVersion.of(pom.get());
      }
      Optional<String> cargo = WorkspaceFiles.read(workspace, "Cargo.toml");
      if (cargo.isPresent()) {
        return CargoToml.parse(cargo.get()).version();
      }
      Optional<String> packageJson = WorkspaceFiles.read(workspace, "package.json");
      if (packageJson.isPresent()) {
        return npmVersion(packageJson.get());
      }
    } catch (IOException e) {
      log.info("No project version for {}: {}", workspace, e.getMessage());
    }
    return null;
  }

  private static String npmVersion(String packageJson) throws IOException {
    JsonNode version = JSON.readTree(packageJson).path("version");
    return version.isTextual() && !version.asText().isBlank() ? version.asText() : null;
  }
}
