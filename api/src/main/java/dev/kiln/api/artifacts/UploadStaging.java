package dev.kiln.api.artifacts;

import dev.kiln.api.web.ApiException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.LongFunction;

/** Streams an upload into a temporary file of a directory, counting and hashing as it goes. */
final class UploadStaging {

  private UploadStaging() {}

  /** See {@link ArtifactStore#stage}; the file is made in {@code directory}. */
  static ArtifactStore.Staged stage(
      Path directory,
      InputStream body,
      String expectedSha256,
      long limit,
      LongFunction<ApiException> overLimit)
      throws IOException {
    Path temp = Files.createTempFile(directory, "upload-", ".part");
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
      return new ArtifactStore.Staged(temp, size, actual);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
  }

  static void discard(ArtifactStore.Staged staged) throws IOException {
    Files.deleteIfExists(staged.file());
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
