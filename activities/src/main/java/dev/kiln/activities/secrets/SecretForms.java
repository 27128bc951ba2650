package dev.kiln.activities.secrets;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The texts a secret's value shows up as in a build's output: the value itself, each of its lines,
 * its base64 (as {@code base64} prints it, padded or not, of the value with and without a trailing
 * newline, and cut into the 76-column lines it wraps at) and its URL encoding. Forms shorter than
 * {@link #MIN_LENGTH} characters, and every form of a value that short, are left out: masking "ab"
 * or "1" would turn every such pair or digit of the log into {@code ***}, hiding the log without
 * hiding anything secret.
 */
final class SecretForms {

  /** Forms shorter than this are not masked. */
  static final int MIN_LENGTH = 4;

  /** {@code base64} and {@code openssl base64} wrap at 76 and 64 columns. */
  private static final int[] BASE64_WRAPS = {76, 64};

  private SecretForms() {}

  /** Every form of {@code value} worth masking. */
  static Set<String> of(String value) {
    Set<String> forms = new LinkedHashSet<>();
    if (value.length() < MIN_LENGTH) {
      return forms;
    }
    // A multi-line value is masked line by line, so the log keeps its lines: "***" per line.
    for (String line : value.split("\r?\n")) {
      forms.add(line);
    }
    for (String text : new String[] {value, value + "\n"}) {
      byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
      // Padded and not: the padding is masked with the rest, and a value inside longer text
      // encodes without it.
      addBase64(forms, Base64.getEncoder().encodeToString(bytes));
      forms.add(Base64.getEncoder().withoutPadding().encodeToString(bytes));
      forms.add(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
    }
    String urlEncoded = URLEncoder.encode(value, StandardCharsets.UTF_8);
    forms.add(urlEncoded);
    forms.add(urlEncoded.replace("+", "%20"));
    forms.removeIf(form -> form.length() < MIN_LENGTH);
    return forms;
  }

  private static void addBase64(Set<String> forms, String encoded) {
    forms.add(encoded);
    for (int wrap : BASE64_WRAPS) {
      for (int start = 0; start < encoded.length() && encoded.length() > wrap; start += wrap) {
        forms.add(encoded.substring(start, Math.min(encoded.length(), start + wrap)));
      }
    }
  }
}
