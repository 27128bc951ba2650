package dev.kiln.api.artifacts;

import dev.kiln.api.web.ApiException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.LongFunction;
import org.springframework.core.io.Resource;

/**
 * Where the api keeps artifacts and local submissions' bundles, under keys such as {@code
 * runs/<run>/<path>} ({@link ArtifactPaths}): a directory ({@link FilesystemArtifactStore}, the
 * default) or an S3 bucket ({@link S3ArtifactStore}, {@code kiln.artifacts.store=s3}).
 *
 * <p>An upload is first staged in a local temporary file, hashing as it streams in ({@link
 * #stage}), and put in place only once its size and sha256 check out and the ledger has taken it
 * ({@link #commit}): a reader never sees a partial object, and a refused upload leaves the previous
 * one in place.
 */
public interface ArtifactStore {

  /** What was stored. */
  record Stored(long size, String sha256) {}

  /** An upload whose bytes checked out, not yet in place. */
  record Staged(Path file, long size, String sha256) {}

  /** The largest object taken ({@code kiln.artifacts.max-size}). */
  long maxSize();

  /**
   * Receives {@code body} into a temporary file, checking its size and hash.
   *
   * @param expectedSha256 what the body must hash to; {@code null} takes any body
   * @param limit the most bytes taken; past it, {@code overLimit} says why (given the limit)
   * @throws ApiException 400 on a sha256 mismatch, or what {@code overLimit} makes
   */
  Staged stage(
      InputStream body, String expectedSha256, long limit, LongFunction<ApiException> overLimit)
      throws IOException;

  /** Puts a staged upload at {@code key}, replacing any previous object there. */
  void commit(Staged staged, String key) throws IOException;

  /** Deletes a staged upload's temporary file; nothing when it was moved into place. */
  default void discard(Staged staged) throws IOException {
    UploadStaging.discard(staged);
  }

  /**
   * The object at {@code key}, when it exists: a resource whose length is known without reading it,
   * and whose stream starts where a Range request asks (Spring serves 206 and 416 from it).
   *
   * @param sha256 what the ledger recorded for it; a store that keeps the hash with the object
   *     refuses to serve one that differs
   */
  Optional<Resource> find(String key, String sha256) throws IOException;

  /** Deletes the object at {@code key}, if any. */
  void delete(String key) throws IOException;

  /** Stores {@code body} under {@code key} at once, replacing any previous object. */
  default Stored store(String key, InputStream body, String expectedSha256) throws IOException {
    Staged staged = stage(body, expectedSha256, maxSize(), this::tooLarge);
    try {
      commit(staged, key);
      return new Stored(staged.size(), staged.sha256());
    } finally {
      discard(staged);
    }
  }

  /** The 413 for an upload over {@code kiln.artifacts.max-size}. */
  default ApiException tooLarge(long limit) {
    return ApiException.payloadTooLarge(
        "artifact is larger than the limit of " + limit + " bytes (kiln.artifacts.max-size)");
  }
}
