package dev.kiln.api.repos;

import java.security.SecureRandom;
import java.util.HexFormat;

/** New webhook secrets: 256 random bits, in hex (every forge's secret field takes it). */
final class WebhookSecrets {

  private static final SecureRandom RANDOM = new SecureRandom();

  private WebhookSecrets() {}

  static String generate() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}
