package dev.kiln.dev;

import java.nio.file.Path;
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
    OwnerOnlyFile.write(file, value);
  }

  @Override
  public String toString() {
    return "WorkerToken[***]";
  }
}
