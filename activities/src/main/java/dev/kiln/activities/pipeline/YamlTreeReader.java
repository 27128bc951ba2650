package dev.kiln.activities.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads one YAML document into a {@link YamlNode} tree that remembers lines, from Jackson's token
 * stream. Rejects what YAML allows but a pipeline file should not rely on: duplicate keys (YAML
 * silently keeps the last one), aliases, and several documents in one file.
 */
final class YamlTreeReader {

  // Thread-safe once configured; SnakeYAML's defaults already bound nesting depth and alias use.
  private static final YAMLFactory FACTORY = new YAMLFactory();

  private final String file;

  private YamlTreeReader(String file) {
    this.file = file;
  }

  /**
   * @param file the file name errors are reported against
   * @return the document's root, or {@code null} if the document is empty (or only comments)
   */
  static YamlNode read(String file, String text) throws InvalidSpecException {
    YamlTreeReader reader = new YamlTreeReader(file);
    try (YAMLParser parser = (YAMLParser) FACTORY.createParser(text)) {
      if (parser.nextToken() == null) {
        return null;
      }
      YamlNode root = reader.value(parser, "");
      if (parser.nextToken() != null) {
        throw reader.error(line(parser), "", "only one YAML document is allowed (remove the ---)");
      }
      return root;
    } catch (JsonProcessingException e) {
      throw reader.syntaxError(e);
    } catch (IOException e) {
      throw new UncheckedIOException("reading YAML from a string cannot fail", e);
    }
  }

  private YamlNode value(YAMLParser parser, String path) throws IOException, InvalidSpecException {
    JsonToken token = parser.currentToken();
    int line = line(parser);
    return switch (token) {
      case START_OBJECT -> mapping(parser, path, line);
      case START_ARRAY -> sequence(parser, path, line);
      case VALUE_STRING,
              VALUE_NUMBER_INT,
              VALUE_NUMBER_FLOAT,
              VALUE_TRUE,
              VALUE_FALSE,
              VALUE_NULL ->
          scalar(parser, path, token, line);
      default -> throw error(line, path, "unsupported YAML value (" + token + ")");
    };
  }

  private YamlNode mapping(YAMLParser parser, String path, int line)
      throws IOException, InvalidSpecException {
    Map<String, YamlNode.Entry> entries = new LinkedHashMap<>();
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String key = parser.currentName();
      int keyLine = line(parser);
      String keyPath = path.isEmpty() ? key : path + "." + key;
      parser.nextToken();
      YamlNode.Entry entry = new YamlNode.Entry(key, keyLine, value(parser, keyPath));
      YamlNode.Entry earlier = entries.putIfAbsent(key, entry);
      if (earlier != null) {
        throw error(keyLine, keyPath, "duplicate key (first at line " + earlier.keyLine() + ")");
      }
    }
    return new YamlNode.Mapping(entries, line);
  }

  private YamlNode sequence(YAMLParser parser, String path, int line)
      throws IOException, InvalidSpecException {
    List<YamlNode> items = new ArrayList<>();
    while (parser.nextToken() != JsonToken.END_ARRAY) {
      items.add(value(parser, path + "[" + items.size() + "]"));
    }
    return new YamlNode.Sequence(items, line);
  }

  private YamlNode scalar(YAMLParser parser, String path, JsonToken token, int line)
      throws IOException, InvalidSpecException {
    if (parser.isCurrentAlias()) {
      throw error(line, path, "YAML aliases (*" + parser.getText() + ") are not supported");
    }
    return new YamlNode.Scalar(parser.getText(), token, line);
  }

  private static int line(YAMLParser parser) {
    return parser.currentTokenLocation().getLineNr();
  }

  private InvalidSpecException error(int line, String path, String problem) {
    return new InvalidSpecException(file, line, path, problem);
  }

  /** SnakeYAML knows the exact line of the problem; Jackson's location is where parsing began. */
  private InvalidSpecException syntaxError(JsonProcessingException e) {
    if (e.getCause() instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
      return error(
          marked.getProblemMark().getLine() + 1, "", "invalid YAML: " + marked.getProblem());
    }
    int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
    return error(line, "", "invalid YAML: " + e.getOriginalMessage());
  }
}
