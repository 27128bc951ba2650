package dev.kiln.api.artifacts;

import dev.kiln.api.config.KilnProperties;
import dev.kiln.api.web.ApiException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Artifact files under {@code <kiln.home>/artifacts}. An upload streams into a temporary file next
 * to its target, hashing as it goes, and is moved into place atomically only once its size and
 * sha256 check out: a reader never sees a partial file, and a failed upload leaves the previous one
 * in place.
 */
@Component
public class ArtifactStore {

  private final Path root;
  private final long maxSize;

  public ArtifactStore(KilnProperties properties) {
    this.root = properties.artifactsRoot().toAbsolutePath().normalize();
    this.maxSize = properties.artifacts().maxSize().toBytes();
  }

  /** What was stored. */
  public record Stored(long size, String sha256) {}

  public long maxSize() {
    return maxSize;
  }

  /**
   * Stores {@code body} under {@code key}, replacing any previous file.
   *
   * @param expectedSha256 lower-case hex; the upload is refused when the body hashes otherwise
   * @throws ApiException 400 on a sha256 mismatch, 413 past {@code kiln.artifacts.max-size}
   */
  public Stored store(String key, InputStream body, String expectedSha256) throws IOException {
    Path target = resolve(key);
    Files.createDirectories(target.getParent());
    ensureInsideRoot(target.getParent());
    Path temp = Files.createTempFile(target.getParent(), ".upload-", ".part");
    try {
      MessageDigest digest = sha256();
      long size = 0;
      byte[] buffer = new byte[64 * 1024];
      try (OutputStream out = Files.newOutputStream(temp)) {
        int n;
        while ((n = body.read(buffer)) > 0) {
          size += n;
          if (size > maxSize) {
            throw ApiException.payloadTooLarge(
                "artifact is larger than the limit of "
                    + maxSize
                    + " bytes (kiln.artifacts.max-size)");
          }
          digest.update(buffer, 0, n);
          out.write(buffer, 0, n);
        }
      }
      String actual = HexFormat.of().formatHex(digest.digest());
      if (!actual.equals(expectedSha256)) {
        throw ApiException.badRequest(
            "sha256 mismatch: X-Kiln-Sha256 says "
                + expectedSha256
                + ", the body hashes to "
                + actual);
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return new Stored(size, actual);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** The stored file, when it exists. */
  public Optional<Path> find(String key) throws IOException {
    Path file = resolve(key);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    ensureInsideRoot(file);
    return Optional.of(file);
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

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
