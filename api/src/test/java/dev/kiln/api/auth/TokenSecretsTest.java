package dev.kiln.api.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TokenSecretsTest {

  private static final String ALPHABET =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

  @Test
  void aTokenIsKilnUnderscoreAnd43Base62CharactersCarrying256RandomBits() {
    SecureRandom random = new SecureRandom();
    Set<String> seen = new HashSet<>();
    BigInteger largest = BigInteger.ZERO;
    for (int i = 0; i < 2000; i++) {
      String token = TokenSecrets.generate(random);
      assertThat(token).matches("kiln_[0-9A-Za-z]{43}");
      assertThat(TokenSecrets.wellFormed(token)).isTrue();
      assertThat(seen.add(token)).isTrue();
      BigInteger value = BigInteger.ZERO;
      for (char c : token.substring(5).toCharArray()) {
        value = value.multiply(BigInteger.valueOf(62)).add(BigInteger.valueOf(ALPHABET.indexOf(c)));
      }
      assertThat(value.bitLength()).isLessThanOrEqualTo(256);
      largest = largest.max(value);
    }
    // 2000 draws of 256 bits: the largest has its top bit set but for a 2^-2000 chance
    assertThat(largest.bitLength()).isEqualTo(256);
  }

  @Test
  void onlyTheKilnFormIsWellFormed() {
    assertThat(TokenSecrets.wellFormed(null)).isFalse();
    assertThat(TokenSecrets.wellFormed("kiln_short")).isFalse();
    assertThat(TokenSecrets.wellFormed("test-token")).isFalse();
    assertThat(TokenSecrets.wellFormed("kiln_" + "a".repeat(42) + "-")).isFalse();
    assertThat(TokenSecrets.wellFormed("kiln_" + "a".repeat(43) + "\n")).isFalse();
  }

  @Test
  void theStoredFormIsTheHexSha256() {
    assertThat(TokenSecrets.hash("kiln_abc"))
        .hasSize(64)
        .isEqualTo(TokenSecrets.hash("kiln_abc"))
        .isNotEqualTo(TokenSecrets.hash("kiln_abd"));
    assertThat(TokenSecrets.hash("abc"))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }
}
