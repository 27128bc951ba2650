package dev.kiln.api.artifacts;

import dev.kiln.api.config.KilnProperties;
import dev.kiln.api.web.ApiException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.function.LongFunction;
import java.util.stream.Stream;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;

/**
 * Artifact files under {@code <kiln.home>/artifacts}, the default store. Uploads are staged in
 * {@code .incoming} below the root, so putting one in place is an atomic rename.
 */
public class FilesystemArtifactStore implements ArtifactStore {

  private static final String INCOMING = ".incoming";

  private final Path root;
  private final long maxSize;

  public FilesystemArtifactStore(KilnProperties properties) {
    this.root = properties.artifactsRoot().toAbsolutePath().normalize();
    this.maxSize = properties.artifacts().maxSize().toBytes();
  }

  @Override
  public long maxSize() {
    return maxSize;
  }

  @Override
  public Stored store(String key, InputStream body, String expectedSha256) throws IOException {
    resolve(key);
    return ArtifactStore.super.store(key, body, expectedSha256);
  }

  @Override
  public Staged stage(
      InputStream body, String expectedSha256, long limit, LongFunction<ApiException> overLimit)
      throws IOException {
    Path incoming = root.resolve(INCOMING);
    Files.createDirectories(incoming);
    ensureInsideRoot(incoming);
    return UploadStaging.stage(incoming, body, expectedSha256, limit, overLimit);
  }

  /** Moves a staged upload to {@code key}, replacing any previous file there. */
  @Override
  public void commit(Staged staged, String key) throws IOException {
    Path target = resolve(key);
    Files.createDirectories(target.getParent());
    ensureInsideRoot(target.getParent());
    Files.move(
        staged.file(), target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** The stored file, when it exists; the ledger's sha256 is what the download announces. */
  @Override
  public Optional<Resource> find(String key, String sha256) throws IOException {
    return file(key).map(FileSystemResource::new);
  }

  /** The stored file, when it exists. */
  public Optional<Path> file(String key) throws IOException {
    Path file = resolve(key);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    ensureInsideRoot(file);
    return Optional.of(file);
  }

  /**
   * Deletes the file at {@code key}, if any, and the directories it leaves empty below the root.
   */
  @Override
  public void delete(String key) throws IOException {
    Path file = resolve(key);
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    ensureInsideRoot(file.getParent());
    Files.deleteIfExists(file);
    for (Path dir = file.getParent(); !dir.equals(root); dir = dir.getParent()) {
      try (Stream<Path> entries = Files.list(dir)) {
        if (entries.findAny().isPresent()) {
          return;
        }
      }
      Files.deleteIfExists(dir);
    }
  }

  private Path resolve(String key) {
    Path path = root.resolve(key).normalize();
    if (!path.startsWith(root) || path.equals(root)) {
      throw new IllegalStateException("storage key escapes the artifact store: " + key);
    }
    return path;
  }

  /** Symbolic links planted under the root must not lead out of it. */
  private void ensureInsideRoot(Path path) throws IOException {
    Path realRoot = root.toRealPath();
    if (!path.toRealPath().startsWith(realRoot)) {
      throw new IllegalStateException("artifact path leads out of the store: " + path);
    }
  }
}
