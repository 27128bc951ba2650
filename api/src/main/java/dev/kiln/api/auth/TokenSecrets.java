package dev.kiln.api.auth;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The secret of an API token: {@code kiln_} and 43 base62 characters, 256 bits from {@link
 * SecureRandom}. The prefix lets secret scanners and people recognise a Kiln token; base62 keeps it
 * one word for a double click. Only its SHA-256 is stored: with 256 bits of entropy nothing can be
 * guessed from it, so a slow password hash would only cost every request time.
 */
public final class TokenSecrets {

  public static final String PREFIX = "kiln_";

  static final int RANDOM_BYTES = 32;

  /** 62^43 > 2^256 > 62^42. */
  static final int BODY_LENGTH = 43;

  private static final char[] ALPHABET =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();

  private static final Pattern FORMAT =
      Pattern.compile(Pattern.quote(PREFIX) + "[0-9A-Za-z]{" + BODY_LENGTH + "}");

  private static final BigInteger BASE = BigInteger.valueOf(ALPHABET.length);

  private TokenSecrets() {}

  public static String generate(SecureRandom random) {
    byte[] bytes = new byte[RANDOM_BYTES];
    random.nextBytes(bytes);
    BigInteger value = new BigInteger(1, bytes);
    char[] body = new char[BODY_LENGTH];
    for (int i = BODY_LENGTH - 1; i >= 0; i--) {
      BigInteger[] qr = value.divideAndRemainder(BASE);
      body[i] = ALPHABET[qr[1].intValue()];
      value = qr[0];
    }
    return PREFIX + new String(body);
  }

  /** Whether {@code presented} is spelled like a token at all: no lookup for anything else. */
  public static boolean wellFormed(String presented) {
    return presented != null && FORMAT.matcher(presented).matches();
  }

  /** The stored form: lower-case hex SHA-256 of the whole token. */
  public static String hash(String token) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
