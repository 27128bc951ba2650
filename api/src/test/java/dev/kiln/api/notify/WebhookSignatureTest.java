package dev.kiln.api.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {

  @Test
  void theSignatureIsSha256AndTheHexHmacOfTheRawBody() {
    // RFC 4231, test case 2
    byte[] body = "what do ya want for nothing?".getBytes(StandardCharsets.UTF_8);

    assertThat(WebhookSignature.of("Jefe", body))
        .isEqualTo("sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  }

  @Test
  void itIsGitHubsWebhookSignatureSoReceiversCanUseTheCodeTheyHave() {
    // the example of GitHub's "Validating webhook deliveries" for X-Hub-Signature-256
    byte[] body = "Hello, World!".getBytes(StandardCharsets.UTF_8);

    assertThat(WebhookSignature.of("It's a Secret to Everybody", body))
        .isEqualTo("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
  }

  @Test
  void aChangedByteOrAnotherSecretGivesAnotherSignature() {
    byte[] body = "{\"event\":\"ended\"}".getBytes(StandardCharsets.UTF_8);
    byte[] changed = "{\"event\":\"endee\"}".getBytes(StandardCharsets.UTF_8);
    String signature = WebhookSignature.of("a-secret-of-16-chars", body);

    assertThat(WebhookSignature.of("a-secret-of-16-chars", changed)).isNotEqualTo(signature);
    assertThat(WebhookSignature.of("another-secret-of-16", body)).isNotEqualTo(signature);
    assertThat(signature).matches("sha256=[0-9a-f]{64}");
  }
}
