package dev.kiln.api.secrets;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM with a random 96-bit nonce per value. The repository id and the secret's name are the
 * associated data: a ciphertext moved to another row, or tampered with, does not decrypt.
 */
public final class SecretCipher {

  static final int KEY_BYTES = 32;
  static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final String TRANSFORMATION = "AES/GCM/NoPadding";

  private final SecretKeySpec key;
  private final SecureRandom random;

  SecretCipher(byte[] key, SecureRandom random) {
    if (key.length != KEY_BYTES) {
      throw new IllegalArgumentException(
          "the key is " + key.length + " bytes; it must be " + KEY_BYTES);
    }
    this.key = new SecretKeySpec(key, "AES");
    this.random = random;
  }

  /**
   * A cipher for {@code base64}, the configured key.
   *
   * @param setting where the key came from, for the message ("kiln.secrets.key")
   * @throws IllegalArgumentException saying what is wrong with it, never showing it
   */
  static SecretCipher fromBase64(String base64, String setting) {
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(base64.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          setting
              + " is not base64; it must be the base64 of 32 random bytes"
              + " (openssl rand -base64 32)");
    }
    if (bytes.length != KEY_BYTES) {
      throw new IllegalArgumentException(
          setting
              + " decodes to "
              + bytes.length
              + " bytes; it must be the base64 of 32 random bytes (openssl rand -base64 32)");
    }
    return new SecretCipher(bytes, new SecureRandom());
  }

  /** A nonce and the ciphertext (with its tag) of one value. */
  public record Sealed(byte[] nonce, byte[] ciphertext) {}

  public Sealed encrypt(long repoId, String name, String value) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher cipher = cipher(Cipher.ENCRYPT_MODE, nonce, repoId, name);
      return new Sealed(nonce, cipher.doFinal(value.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }

  /**
   * @throws UndecryptableSecretException when the ciphertext was changed, belongs to another row,
   *     or was sealed with another key
   */
  public String decrypt(long repoId, String name, Sealed sealed) {
    try {
      Cipher cipher = cipher(Cipher.DECRYPT_MODE, sealed.nonce(), repoId, name);
      return new String(cipher.doFinal(sealed.ciphertext()), StandardCharsets.UTF_8);
    } catch (AEADBadTagException e) {
      throw new UndecryptableSecretException(name);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }

  private Cipher cipher(int mode, byte[] nonce, long repoId, String name)
      throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance(TRANSFORMATION);
    cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
    cipher.updateAAD(("kiln-secret\0" + repoId + "\0" + name).getBytes(StandardCharsets.UTF_8));
    return cipher;
  }

  @Override
  public String toString() {
    return "SecretCipher[AES-256-GCM]";
  }
}
