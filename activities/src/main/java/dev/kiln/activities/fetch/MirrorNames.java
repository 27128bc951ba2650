package dev.kiln.activities.fetch;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Directory names for a repository's mirror and dependency caches on a build host: readable host
 * and path, plus a hash of the whole URL so that distinct URLs never share one. Example: {@code
 * github.com-acme-app-1f3a9c0d2b4e}.
 */
public final class MirrorNames {

  private static final int MAX_NAME_LENGTH = 60;

  private MirrorNames() {}

  /**
   * @param url a repository URL in the canonical form the repository policy gives it
   */
  public static String of(String url) {
    String readable = readablePart(url).toLowerCase(Locale.ROOT);
    readable = readable.replaceAll("\\.git/?$", "").replaceAll("[^a-z0-9._-]+", "-");
    readable = readable.replaceAll("^[-.]+|[-.]+$", "");
    if (readable.length() > MAX_NAME_LENGTH) {
      readable = readable.substring(0, MAX_NAME_LENGTH).replaceAll("[-.]+$", "");
    }
    String hash = sha256(url).substring(0, 12);
    return readable.isEmpty() ? "repo-" + hash : readable + "-" + hash;
  }

  /** The URL without its scheme and any user part. */
  private static String readablePart(String url) {
    int scheme = url.indexOf("://");
    if (scheme < 0) {
      return url;
    }
    String rest = url.substring(scheme + 3);
    int slash = rest.indexOf('/') < 0 ? rest.length() : rest.indexOf('/');
    int at = rest.lastIndexOf('@', slash);
    return at >= 0 ? rest.substring(at + 1) : rest;
  }

  private static String sha256(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
