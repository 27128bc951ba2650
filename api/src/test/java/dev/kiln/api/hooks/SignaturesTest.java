package dev.kiln.api.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SignaturesTest {

  /** The example GitHub's documentation gives for validating deliveries. */
  static final String SECRET = "It's a Secret to Everybody";

  static final byte[] BODY = "Hello, World!".getBytes(StandardCharsets.UTF_8);
  static final String GITHUB_SIGNATURE =
      "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

  @Test
  void githubsDocumentedExampleVerifies() {
    assertThat(Signatures.github(SECRET, BODY, GITHUB_SIGNATURE)).isTrue();
  }

  @Test
  void aChangedBodyAWrongSecretOrAMissingHeaderFails() {
    byte[] tampered = "Hello, World?".getBytes(StandardCharsets.UTF_8);
    assertThat(Signatures.github(SECRET, tampered, GITHUB_SIGNATURE)).isFalse();
    assertThat(Signatures.github("another secret", BODY, GITHUB_SIGNATURE)).isFalse();
    assertThat(Signatures.github(SECRET, BODY, null)).isFalse();
    assertThat(Signatures.github(SECRET, BODY, GITHUB_SIGNATURE.substring("sha256=".length())))
        .as("without the sha256= prefix")
        .isFalse();
  }

  @Test
  void giteaSignsTheSameHmacWithoutAPrefix() {
    String hex = GITHUB_SIGNATURE.substring("sha256=".length());
    assertThat(Signatures.gitea(SECRET, BODY, hex)).isTrue();
    assertThat(Signatures.gitea(SECRET, BODY, GITHUB_SIGNATURE)).isFalse();
  }

  @Test
  void gitlabSendsTheSecretItself() {
    assertThat(Signatures.gitlab(SECRET, SECRET)).isTrue();
    assertThat(Signatures.gitlab(SECRET, SECRET + " ")).isFalse();
    assertThat(Signatures.gitlab(SECRET, null)).isFalse();
  }
}
