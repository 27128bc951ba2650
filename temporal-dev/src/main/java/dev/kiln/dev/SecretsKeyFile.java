package dev.kiln.dev;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * The key build secrets are encrypted with on a dev stack ({@code kiln.secrets.key-file}): made
 * once in {@code KILN_HOME}, readable by the owner only, and kept, since secrets stored under it
 * cannot be read with another. A key configured by {@code KILN_SECRETS_KEY} (or the system property
 * {@code kiln.secrets.key}) wins, and then no file is made.
 */
final class SecretsKeyFile {

  static final String FILE_NAME = "secrets.key";
  private static final int KEY_BYTES = 32;

  private SecretsKeyFile() {}

  /**
   * @return the key file to configure the api with, made now if missing; empty when a key is
   *     configured otherwise
   */
  static Optional<Path> ensure(Path home, Map<String, String> env, SecureRandom random) {
    if (configured(env)) {
      return Optional.empty();
    }
    Path file = home.resolve(FILE_NAME);
    if (!Files.exists(file)) {
      byte[] key = new byte[KEY_BYTES];
      random.nextBytes(key);
      OwnerOnlyFile.write(file, Base64.getEncoder().encodeToString(key));
    }
    return Optional.of(file);
  }

  /** The key file of a stack in {@code home}, for an api joining it; empty if it has none. */
  static Optional<Path> existing(Path home, Map<String, String> env) {
    Path file = home.resolve(FILE_NAME);
    return configured(env) || !Files.exists(file) ? Optional.empty() : Optional.of(file);
  }

  private static boolean configured(Map<String, String> env) {
    String fromEnv = env.get("KILN_SECRETS_KEY");
    String fromProperty = System.getProperty("kiln.secrets.key");
    return (fromEnv != null && !fromEnv.isBlank())
        || (fromProperty != null && !fromProperty.isBlank());
  }
}
