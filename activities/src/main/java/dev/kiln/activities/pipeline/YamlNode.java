package dev.kiln.activities.pipeline;

import com.fasterxml.jackson.core.JsonToken;
import java.util.List;
import java.util.Map;

/**
 * A YAML value with the line it started on. Jackson's {@code JsonNode} tree drops locations, and
 * every kiln.yaml error must name a line, so {@link YamlTreeReader} builds this small tree instead.
 */
sealed interface YamlNode {

  /** 1-based line where the value starts. */
  int line();

  /** How the value reads in an error message: "a string", "a list", ... */
  String kind();

  /**
   * A scalar exactly as written (YAML {@code yes} stays "yes", {@code 1.0} stays "1.0").
   *
   * @param token Jackson's reading of it: string, number, boolean or null
   */
  record Scalar(String text, JsonToken token, int line) implements YamlNode {

    boolean isString() {
      return token == JsonToken.VALUE_STRING;
    }

    boolean isBoolean() {
      return token == JsonToken.VALUE_TRUE || token == JsonToken.VALUE_FALSE;
    }

    boolean isNull() {
      return token == JsonToken.VALUE_NULL;
    }

    boolean isNumber() {
      return token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT;
    }

    @Override
    public String kind() {
      return switch (token) {
        case VALUE_STRING -> "a string";
        case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
        case VALUE_TRUE, VALUE_FALSE -> "true/false";
        case VALUE_NULL -> "nothing (null)";
        default -> "an unsupported value";
      };
    }
  }

  /** A YAML list. */
  record Sequence(List<YamlNode> items, int line) implements YamlNode {

    @Override
    public String kind() {
      return "a list";
    }
  }

  /** A YAML mapping, in document order. */
  record Mapping(Map<String, Entry> entries, int line) implements YamlNode {

    @Override
    public String kind() {
      return "a mapping";
    }

    YamlNode get(String key) {
      Entry entry = entries.get(key);
      return entry == null ? null : entry.value();
    }
  }

  /** One key of a mapping; the key's own line is where "unknown key" errors point. */
  record Entry(String key, int keyLine, YamlNode value) {}
}
