package dev.kiln.api.hooks;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * How forges prove a delivery comes from them. Every comparison takes the same time whatever the
 * bytes ({@link MessageDigest#isEqual}), so a sender learns nothing from how long a refusal takes.
 */
final class Signatures {

  private Signatures() {}

  /** Hex HMAC-SHA256 of {@code body} under {@code secret}. */
  static String hmacSha256Hex(String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
    }
  }

  /** GitHub's {@code X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>}. */
  static boolean github(String secret, byte[] body, String header) {
    return header != null && sameText("sha256=" + hmacSha256Hex(secret, body), header);
  }

  /** Gitea's (and Forgejo's) {@code X-Gitea-Signature: <hex HMAC-SHA256 of the raw body>}. */
  static boolean gitea(String secret, byte[] body, String header) {
    return header != null && sameText(hmacSha256Hex(secret, body), header);
  }

  /** GitLab's {@code X-Gitlab-Token}: the secret itself. */
  static boolean gitlab(String secret, String header) {
    return header != null && sameText(secret, header);
  }

  private static boolean sameText(String expected, String given) {
    return MessageDigest.isEqual(
        expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
  }
}
