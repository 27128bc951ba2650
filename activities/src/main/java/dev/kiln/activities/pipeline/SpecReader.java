package dev.kiln.activities.pipeline;

import com.fasterxml.jackson.core.JsonToken;
import dev.kiln.activities.pipeline.YamlNode.Mapping;
import dev.kiln.activities.pipeline.YamlNode.Scalar;
import dev.kiln.activities.pipeline.YamlNode.Sequence;
import dev.kiln.activities.process.sandbox.ByteSizes;
import dev.kiln.workflows.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Typed access to a {@link YamlNode} tree where every wrong value becomes an {@link
 * InvalidSpecException} naming file, line and path. Holds no schema: {@link KilnYamlParser} says
 * which keys exist, this class says what went wrong with them.
 */
final class SpecReader {

  private final String file;

  SpecReader(String file) {
    this.file = file;
  }

  InvalidSpecException error(int line, String path, String problem) {
    return new InvalidSpecException(file, line, path, problem);
  }

  Mapping mapping(YamlNode node, String path, String expected) throws InvalidSpecException {
    if (node instanceof Mapping mapping) {
      return mapping;
    }
    throw error(node.line(), path, "must be " + expected + ", got " + node.kind());
  }

  Sequence sequence(YamlNode node, String path, String expected) throws InvalidSpecException {
    if (node instanceof Sequence sequence) {
      return sequence;
    }
    throw error(node.line(), path, "must be " + expected + ", got " + node.kind());
  }

  String string(YamlNode node, String path) throws InvalidSpecException {
    if (node instanceof Scalar scalar && scalar.isString()) {
      return scalar.text();
    }
    throw error(node.line(), path, "must be a string, got " + node.kind());
  }

  String nonEmptyString(YamlNode node, String path) throws InvalidSpecException {
    String text = string(node, path);
    if (text.isBlank()) {
      throw error(node.line(), path, "must not be empty");
    }
    return text;
  }

  boolean bool(YamlNode node, String path) throws InvalidSpecException {
    if (node instanceof Scalar scalar && scalar.isBoolean()) {
      return scalar.token() == JsonToken.VALUE_TRUE;
    }
    throw error(node.line(), path, "must be true or false, got " + node.kind());
  }

  /** The node's value as a key that must be present. */
  YamlNode required(Mapping mapping, String path, String key) throws InvalidSpecException {
    YamlNode value = mapping.get(key);
    if (value == null) {
      throw error(mapping.line(), path, "missing required key \"" + key + "\"");
    }
    return value;
  }

  /** Rejects keys outside {@code allowed}, suggesting the nearest allowed one for a typo. */
  void onlyKeys(Mapping mapping, String path, List<String> allowed) throws InvalidSpecException {
    for (YamlNode.Entry entry : mapping.entries().values()) {
      if (!allowed.contains(entry.key())) {
        String keyPath = path.isEmpty() ? entry.key() : path + "." + entry.key();
        String hint =
            Spelling.nearest(entry.key(), allowed)
                .map(k -> "; did you mean \"" + k + "\"?")
                .orElse("");
        throw error(
            entry.keyLine(),
            keyPath,
            "unknown key" + hint + " (allowed: " + String.join(", ", allowed) + ")");
      }
    }
  }

  /**
   * A timeout in seconds, {@code defaultSeconds} when the key is absent.
   *
   * @see Durations
   */
  long timeoutSeconds(YamlNode node, String path, long defaultSeconds) throws InvalidSpecException {
    if (node == null) {
      return defaultSeconds;
    }
    if (!(node instanceof Scalar scalar) || scalar.isNull() || scalar.isBoolean()) {
      throw error(
          node.line(), path, "must be a duration (" + Durations.HINT + "), got " + node.kind());
    }
    String text = scalar.text();
    Optional<Duration> duration = Durations.parse(text);
    if (duration.isEmpty()) {
      throw error(node.line(), path, "\"" + text + "\" is not a duration (" + Durations.HINT + ")");
    }
    if (duration.get().isZero()) {
      throw error(node.line(), path, "\"" + text + "\" must be longer than zero");
    }
    if (duration.get().compareTo(Durations.MAX_STEP) > 0) {
      throw error(
          node.line(),
          path,
          "\"" + text + "\" is longer than the " + Durations.MAX_STEP.toHours() + "h maximum");
    }
    return duration.get().toSeconds();
  }

  /**
   * A size such as {@code 4g} or {@code 512m} in bytes, at least {@code min}; {@code null} when the
   * key is absent.
   *
   * @see ByteSizes
   */
  Long byteSize(YamlNode node, String path, long min) throws InvalidSpecException {
    if (node == null) {
      return null;
    }
    if (!(node instanceof Scalar scalar) || scalar.isNull() || scalar.isBoolean()) {
      throw error(node.line(), path, "must be a size (" + ByteSizes.HINT + "), got " + node.kind());
    }
    String text = scalar.text();
    Optional<Long> bytes = ByteSizes.parse(text);
    if (bytes.isEmpty()) {
      throw error(node.line(), path, "\"" + text + "\" is not a size (" + ByteSizes.HINT + ")");
    }
    if (bytes.get() < min) {
      throw error(
          node.line(),
          path,
          "\""
              + text
              + "\" is "
              + ByteSizes.format(bytes.get())
              + "; at least "
              + ByteSizes.format(min)
              + (scalar.isNumber() ? " (a plain number is bytes: write 4g, 512m)" : ""));
    }
    return bytes.get();
  }

  /** A number greater than zero, such as {@code 2} or {@code 0.5}; {@code null} when absent. */
  Double positiveNumber(YamlNode node, String path) throws InvalidSpecException {
    if (node == null) {
      return null;
    }
    if (node instanceof Scalar scalar && scalar.isNumber()) {
      double value = Double.parseDouble(scalar.text());
      if (value > 0 && value <= 1024) {
        return value;
      }
      throw error(node.line(), path, scalar.text() + " must be more than 0 and at most 1024");
    }
    throw error(node.line(), path, "must be a number such as 2 or 0.5, got " + node.kind());
  }

  /** A whole number in {@code [min, max]}; {@code null} when absent. */
  Long count(YamlNode node, String path, long min, long max) throws InvalidSpecException {
    if (node == null) {
      return null;
    }
    if (node instanceof Scalar scalar && scalar.isNumber() && scalar.text().matches("\\d{1,12}")) {
      long value = Long.parseLong(scalar.text());
      if (value >= min && value <= max) {
        return value;
      }
      throw error(node.line(), path, value + " must be between " + min + " and " + max);
    }
    throw error(node.line(), path, "must be a whole number, got " + node.kind());
  }

  /** Workspace-relative globs: one string or a list of them. */
  List<String> globs(YamlNode node, String path) throws InvalidSpecException {
    if (node instanceof Scalar) {
      return List.of(glob(node, path));
    }
    Sequence sequence = sequence(node, path, "a glob or a list of globs");
    List<String> globs = new ArrayList<>();
    for (YamlNode item : sequence.items()) {
      globs.add(glob(item, path + "[" + globs.size() + "]"));
    }
    return globs;
  }

  /**
   * Globs are resolved against the workspace by the stage and gate steps; one that starts at {@code
   * /} or climbs out with {@code ..} would publish files from elsewhere on the build host.
   */
  private String glob(YamlNode node, String path) throws InvalidSpecException {
    String glob = nonEmptyString(node, path);
    if (glob.startsWith("/") || glob.startsWith("\\") || glob.matches("^[A-Za-z]:.*")) {
      throw error(node.line(), path, "\"" + glob + "\" must be relative to the workspace");
    }
    for (String segment : glob.split("[/\\\\]")) {
      if (segment.equals("..")) {
        throw error(node.line(), path, "\"" + glob + "\" must not leave the workspace (..)");
      }
    }
    return glob;
  }
}
