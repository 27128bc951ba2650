package dev.kiln.activities.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.activities.process.OutputSink;
import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class SecretMaskTest {

  private static final String TOKEN = "s3cr3t-T0ken/with+symbols & spaces";

  @Test
  void theValueItsBase64AndItsUrlEncodingsBecomeStars() {
    SecretMask mask = SecretMask.of(List.of(TOKEN));
    String base64 = Base64.getEncoder().encodeToString(TOKEN.getBytes(StandardCharsets.UTF_8));
    String echoedBase64 =
        Base64.getEncoder().encodeToString((TOKEN + "\n").getBytes(StandardCharsets.UTF_8));
    String urlEncoded = URLEncoder.encode(TOKEN, StandardCharsets.UTF_8);

    assertThat(mask.text("plain: " + TOKEN + "\n")).isEqualTo("plain: ***\n");
    assertThat(mask.text("b64: " + base64 + "\n")).isEqualTo("b64: ***\n");
    assertThat(mask.text("echo|b64: " + echoedBase64 + "\n")).startsWith("echo|b64: ***");
    assertThat(mask.text("url: " + urlEncoded + "\n")).isEqualTo("url: ***\n");
    assertThat(mask.text("url: " + urlEncoded.replace("+", "%20") + "\n")).isEqualTo("url: ***\n");
    assertThat(mask.text("nothing secret here\n")).isEqualTo("nothing secret here\n");
  }

  @Test
  void aMultiLineSecretIsMaskedLineByLineWhereverItsLinesAppear() {
    String key = "-----BEGIN KEY-----\nMIIEabcdefgh\nijklmnopQRST\n-----END KEY-----";
    SecretMask mask = SecretMask.of(List.of(key));

    assertThat(mask.text("key:\n" + key + "\ndone\n"))
        .isEqualTo("key:\n***\n***\n***\n***\ndone\n");
    assertThat(mask.text("second line alone: ijklmnopQRST!\n"))
        .isEqualTo("second line alone: ***!\n");
  }

  @Test
  void base64WrappedAtSeventySixColumnsIsMaskedOnEveryLine() {
    String longSecret = "x".repeat(30) + "y".repeat(30) + "z".repeat(30);
    String wrapped =
        Base64.getMimeEncoder(76, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(longSecret.getBytes(StandardCharsets.UTF_8));
    SecretMask mask = SecretMask.of(List.of(longSecret));

    assertThat(wrapped).contains("\n");
    assertThat(mask.text(wrapped + "\n")).isEqualTo("***\n***\n");
  }

  @Test
  void valuesAndLinesShorterThanFourCharactersAreNotMasked() {
    SecretMask mask = SecretMask.of(List.of("abc", "ab\nlonger-line"));

    assertThat(mask.text("abc ab a b c\n")).isEqualTo("abc ab a b c\n");
    assertThat(mask.text("ab\nlonger-line\n")).isEqualTo("ab\n***\n");
    assertThat(SecretMask.of(List.of("abc")).isEmpty()).isTrue();
  }

  @Test
  void overlappingAndAdjacentSecretsBecomeOneMask() {
    SecretMask mask = SecretMask.of(List.of("abcdef", "defghi", "zzzz"));

    assertThat(mask.text("xx abcdefghi yy\n")).isEqualTo("xx *** yy\n");
    assertThat(mask.text("abcdefzzzz\n")).isEqualTo("***\n");
    assertThat(mask.text("abcde defgh abcdeX\n")).isEqualTo("abcde defgh abcdeX\n");
  }

  @Test
  void aSecretCutAcrossWritesIsMaskedAsIfItCameInOnePiece() {
    SecretMask mask = SecretMask.of(List.of(TOKEN));
    String output = "before " + TOKEN + " middle " + TOKEN + "\nafter\n";
    byte[] bytes = output.getBytes(StandardCharsets.UTF_8);

    for (int piece = 1; piece <= 7; piece++) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      OutputSink sink = mask.around(out::write);
      for (int i = 0; i < bytes.length; i += piece) {
        sink.write(bytes, i, Math.min(piece, bytes.length - i));
      }
      sink.finished(bytes.length, 0);
      assertThat(out.toString(StandardCharsets.UTF_8))
          .as("written in pieces of " + piece)
          .isEqualTo("before *** middle ***\nafter\n");
    }
  }

  @Test
  void aPrefixOfASecretIsHeldBackOnlyUntilTheOutputShowsItIsNotOne() {
    SecretMask mask = SecretMask.of(List.of("password123"));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    OutputSink sink = mask.around(out::write);

    write(sink, "log: pass");
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("log: ");
    write(sink, "port\n");
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("log: passport\n");
    write(sink, "end: passw");
    sink.finished(0, 0);
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("log: passport\nend: passw");
  }

  @Test
  void aMaskWithoutSecretsIsTheSinkItself() {
    OutputSink sink = (buf, off, len) -> {};

    assertThat(SecretMask.NONE.around(sink)).isSameAs(sink);
    assertThat(SecretMask.NONE.text("anything")).isEqualTo("anything");
  }

  @Test
  void stepSecretsNameTheirVariablesButNeverShowTheirValues() {
    StepSecrets secrets = new StepSecrets(java.util.Map.of("DEPLOY_TOKEN", TOKEN));

    assertThat(secrets.toString()).contains("DEPLOY_TOKEN").doesNotContain(TOKEN);
    assertThat(secrets.environment()).containsEntry("DEPLOY_TOKEN", TOKEN);
  }

  private static void write(OutputSink sink, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    sink.write(bytes, 0, bytes.length);
  }
}
