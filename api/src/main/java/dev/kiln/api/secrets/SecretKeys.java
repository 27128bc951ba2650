package dev.kiln.api.secrets;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Optional;

/** Reads the configured key ({@link SecretsProperties}) into a cipher, once, at start. */
final class SecretKeys {

  private SecretKeys() {}

  /**
   * @return the cipher, or empty when no key is configured
   * @throws IllegalStateException when a key is configured but unusable: the api refuses to start
   *     rather than store secrets it could not read back
   */
  static Optional<SecretCipher> load(SecretsProperties properties) {
    try {
      if (properties.key() != null && !properties.key().isBlank()) {
        return Optional.of(SecretCipher.fromBase64(properties.key(), "kiln.secrets.key"));
      }
      if (properties.keyFile() != null) {
        if (!Files.isReadable(properties.keyFile())) {
          throw new IllegalArgumentException(
              "kiln.secrets.key-file " + properties.keyFile() + " does not exist or is unreadable");
        }
        return Optional.of(
            SecretCipher.fromBase64(
                Files.readString(properties.keyFile()),
                "kiln.secrets.key-file " + properties.keyFile()));
      }
      return Optional.empty();
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalStateException("Cannot use the build secrets' key: " + e.getMessage(), e);
    }
  }
}
