package dev.kiln.api.artifacts;

import dev.kiln.api.config.KilnProperties;
import dev.kiln.api.web.ApiException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.LongFunction;
import java.util.stream.Stream;
import org.springframework.stereotype.Component;

/**
 * Artifact files under {@code <kiln.home>/artifacts}. An upload streams into a temporary file in
 * the store, hashing as it goes ({@link #stage}), and is moved into place atomically only once its
 * size and sha256 check out and the ledger has taken it ({@link #commit}): a reader never sees a
 * partial file, and a refused upload leaves the previous one in place.
 */
@Component
public class ArtifactStore {

  private static final String INCOMING = ".incoming";

  private final Path root;
  private final long maxSize;

  public ArtifactStore(KilnProperties properties) {
    this.root = properties.artifactsRoot().toAbsolutePath().normalize();
    this.maxSize = properties.artifacts().maxSize().toBytes();
  }

  /** What was stored. */
  public record Stored(long size, String sha256) {}

  /** An upload whose bytes checked out, not yet in place. */
  public record Staged(Path file, long size, String sha256) {}

  public long maxSize() {
    return maxSize;
  }

  /** Stores {@code body} under {@code key} at once, replacing any previous file. */
  public Stored store(String key, InputStream body, String expectedSha256) throws IOException {
    resolve(key);
    Staged staged = stage(body, expectedSha256, maxSize, this::tooLarge);
    try {
      commit(staged, key);
      return new Stored(staged.size(), staged.sha256());
    } finally {
      discard(staged);
    }
  }

  /**
   * Receives {@code body} into a temporary file of the store, checking its size and hash.
   *
   * @param expectedSha256 what the body must hash to; {@code null} takes any body
   * @param limit the most bytes taken; past it, {@code overLimit} says why (given the limit)
   * @throws ApiException 400 on a sha256 mismatch, or what {@code overLimit} makes
   */
  public Staged stage(
      InputStream body, String expectedSha256, long limit, LongFunction<ApiException> overLimit)
      throws IOException {
    Path incoming = root.resolve(INCOMING);
    Files.createDirectories(incoming);
    ensureInsideRoot(incoming);
    Path temp = Files.createTempFile(incoming, "upload-", ".part");
    try {
      MessageDigest digest = sha256();
      long size = 0;
      byte[] buffer = new byte[64 * 1024];
      try (OutputStream out = Files.newOutputStream(temp)) {
        int n;
        while ((n = body.read(buffer)) > 0) {
          size += n;
          if (size > limit) {
            throw overLimit.apply(limit);
          }
          digest.update(buffer, 0, n);
          out.write(buffer, 0, n);
        }
      }
      String actual = HexFormat.of().formatHex(digest.digest());
      if (expectedSha256 != null && !actual.equals(expectedSha256)) {
        throw ApiException.badRequest(
            "sha256 mismatch: X-Kiln-Sha256 says "
                + expectedSha256
                + ", the body hashes to "
                + actual);
      }
      return new Staged(temp, size, actual);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
  }

  /** Moves a staged upload to {@code key}, replacing any previous file there. */
  public void commit(Staged staged, String key) throws IOException {
    Path target = resolve(key);
    Files.createDirectories(target.getParent());
    ensureInsideRoot(target.getParent());
    Files.move(
        staged.file(), target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Deletes a staged upload that was not committed; nothing when it was. */
  public void discard(Staged staged) throws IOException {
    Files.deleteIfExists(staged.file());
  }

  /** The 413 for an upload over {@code kiln.artifacts.max-size}. */
  public ApiException tooLarge(long limit) {
    return ApiException.payloadTooLarge(
        "artifact is larger than the limit of " + limit + " bytes (kiln.artifacts.max-size)");
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

  /**
   * Deletes the file at {@code key}, if any, and the directories it leaves empty below the root.
   */
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

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
