package dev.kiln.api.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretCipherTest {

  private static final String VALUE = "ghp_0123456789abcdef\nsecond line ✓";

  private final SecretCipher cipher = new SecretCipher(key(1), new SecureRandom());

  @Test
  void aValueComesBackAsItWentInAndIsNotStoredPlain() {
    SecretCipher.Sealed sealed = cipher.encrypt(7, "DEPLOY_TOKEN", VALUE);

    assertThat(sealed.nonce()).hasSize(12);
    assertThat(new String(sealed.ciphertext(), java.nio.charset.StandardCharsets.ISO_8859_1))
        .doesNotContain("ghp_");
    assertThat(cipher.decrypt(7, "DEPLOY_TOKEN", sealed)).isEqualTo(VALUE);
  }

  @Test
  void everyValueGetsAFreshNonce() {
    SecretCipher.Sealed first = cipher.encrypt(7, "DEPLOY_TOKEN", VALUE);
    SecretCipher.Sealed second = cipher.encrypt(7, "DEPLOY_TOKEN", VALUE);

    assertThat(first.nonce()).isNotEqualTo(second.nonce());
    assertThat(first.ciphertext()).isNotEqualTo(second.ciphertext());
  }

  @Test
  void aTamperedCiphertextOrNonceDoesNotDecrypt() {
    SecretCipher.Sealed sealed = cipher.encrypt(7, "DEPLOY_TOKEN", VALUE);
    byte[] ciphertext = sealed.ciphertext().clone();
    ciphertext[0] ^= 1;
    byte[] nonce = sealed.nonce().clone();
    nonce[11] ^= (byte) 0x80;

    assertThatThrownBy(
            () ->
                cipher.decrypt(
                    7, "DEPLOY_TOKEN", new SecretCipher.Sealed(sealed.nonce(), ciphertext)))
        .isInstanceOf(UndecryptableSecretException.class)
        .hasMessageContaining("secret DEPLOY_TOKEN does not decrypt");
    assertThatThrownBy(
            () ->
                cipher.decrypt(
                    7, "DEPLOY_TOKEN", new SecretCipher.Sealed(nonce, sealed.ciphertext())))
        .isInstanceOf(UndecryptableSecretException.class);
  }

  @Test
  void aValueMovedToAnotherRepositoryOrNameDoesNotDecrypt() {
    SecretCipher.Sealed sealed = cipher.encrypt(7, "DEPLOY_TOKEN", VALUE);

    assertThatThrownBy(() -> cipher.decrypt(8, "DEPLOY_TOKEN", sealed))
        .isInstanceOf(UndecryptableSecretException.class);
    assertThatThrownBy(() -> cipher.decrypt(7, "OTHER_TOKEN", sealed))
        .isInstanceOf(UndecryptableSecretException.class);
  }

  @Test
  void theWrongKeyDoesNotDecrypt() {
    SecretCipher.Sealed sealed = cipher.encrypt(7, "DEPLOY_TOKEN", VALUE);
    SecretCipher other = new SecretCipher(key(2), new SecureRandom());

    assertThatThrownBy(() -> other.decrypt(7, "DEPLOY_TOKEN", sealed))
        .isInstanceOf(UndecryptableSecretException.class)
        .hasMessageContaining("the key was changed");
  }

  @Test
  void aMalformedConfiguredKeyStopsTheStartWithAMessageThatDoesNotShowIt() {
    String short16 = Base64.getEncoder().encodeToString(key(3, 16));

    assertThatThrownBy(() -> SecretKeys.load(new SecretsProperties(short16, null)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "Cannot use the build secrets' key: kiln.secrets.key decodes to 16 bytes; it must be"
                + " the base64 of 32 random bytes (openssl rand -base64 32)")
        .message()
        .doesNotContain(short16);
    assertThatThrownBy(() -> SecretKeys.load(new SecretsProperties("not base64 at all!", null)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("kiln.secrets.key is not base64");
  }

  @Test
  void theKeyIsReadFromItsFileAndNoKeyMeansSecretsAreOff(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("secrets.key");
    Files.writeString(file, Base64.getEncoder().encodeToString(key(4)) + "\n");

    SecretCipher fromFile = SecretKeys.load(new SecretsProperties(null, file)).orElseThrow();
    SecretCipher same = new SecretCipher(key(4), new SecureRandom());
    assertThat(fromFile.decrypt(1, "A_B", same.encrypt(1, "A_B", "value"))).isEqualTo("value");
    assertThat(SecretKeys.load(new SecretsProperties(null, null))).isEmpty();
    assertThatThrownBy(
            () -> SecretKeys.load(new SecretsProperties(null, dir.resolve("missing.key"))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("does not exist or is unreadable");
  }

  private static byte[] key(int fill) {
    return key(fill, 32);
  }

  private static byte[] key(int fill, int length) {
    byte[] key = new byte[length];
    Arrays.fill(key, (byte) fill);
    return key;
  }
}
