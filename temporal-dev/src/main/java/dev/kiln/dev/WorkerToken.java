package dev.kiln.dev;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The shared secret between this dev stack's api and its workers ({@code kiln.internal.token}). A
 * new one is made at every start, so a token copied from an earlier run stops working.
 */
record WorkerToken(String value) {

  private static final int BYTES = 32;

  static WorkerToken generate(SecureRandom random) {
    byte[] bytes = new byte[BYTES];
    random.nextBytes(bytes);
    return new WorkerToken(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
  }

  /**
   * Writes the token, readable by the owner only, so that {@code KILN_INTERNAL_TOKEN=$(cat
   * ~/.kiln/worker.token)} lets an extra worker join. No trailing newline: readers need not trim.
   */
  void writeTo(Path file) {
    try {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.deleteIfExists(tmp);
      if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
        // Created with the mode rather than chmod-ed afterwards: never readable by others, not
        // even for a moment.
        Files.createFile(
            tmp,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      }
      Files.writeString(tmp, value, StandardCharsets.US_ASCII);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the worker token to " + file, e);
    }
  }

  @Override
  public String toString() {
    return "WorkerToken[***]";
  }
}
