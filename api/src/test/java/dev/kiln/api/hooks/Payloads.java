package dev.kiln.api.hooks;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The fixtures under {@code /hooks}: payloads in the shape the forges' documentation gives, with
 * {@code {{name}}} placeholders for what a test chooses (repository, branch, sha, number, action).
 */
final class Payloads {

  private Payloads() {}

  static String of(String fixture, Map<String, String> values) {
    try (InputStream in = Payloads.class.getResourceAsStream("/hooks/" + fixture + ".json")) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + fixture);
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      for (Map.Entry<String, String> value : values.entrySet()) {
        text = text.replace("{{" + value.getKey() + "}}", value.getValue());
      }
      if (values.containsKey("sha")) {
        text = text.replace("{{short}}", values.get("sha").substring(0, 12));
      }
      return text;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
