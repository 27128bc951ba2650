package dev.kiln.api.web;

import java.util.Arrays;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.http.converter.HttpMessageNotReadableException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.InvalidNullException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * Turns a body Jackson could not read into a {@code detail} a person can act on: which field, what
 * was wrong, what was expected. Jackson's own messages name Java types and include the input
 * source, which clients neither need nor should see.
 */
final class JsonErrors {

  private JsonErrors() {}

  static String detail(HttpMessageNotReadableException ex) {
    JacksonException jackson = find(ex, JacksonException.class);
    if (jackson == null) {
      String message = String.valueOf(ex.getMessage());
      return message.startsWith("Required request body is missing")
          ? "request body is required"
          : "request body could not be read";
    }
    String path = path(jackson);
    if (jackson instanceof UnrecognizedPropertyException unknown) {
      String field = path.isEmpty() ? unknown.getPropertyName() : path;
      return "unknown field \"" + field + "\"";
    }
    if (jackson instanceof InvalidNullException) {
      return subject(path) + ": must not be null";
    }
    if (jackson instanceof InvalidFormatException invalid) {
      if (invalid.getTargetType() == byte[].class) {
        return subject(path) + ": not valid base64";
      }
      return subject(path)
          + ": "
          + quote(invalid.getValue())
          + " is not "
          + expected(invalid.getTargetType());
    }
    if (jackson instanceof MismatchedInputException mismatch) {
      if (mismatch.getTargetType() == null) {
        return subject(path) + ": " + firstLine(mismatch.getOriginalMessage());
      }
      return subject(path) + ": expected " + expected(mismatch.getTargetType());
    }
    if (jackson instanceof StreamReadException) {
      return "malformed JSON"
          + at(jackson.getLocation())
          + ": "
          + firstLine(jackson.getOriginalMessage());
    }
    return "request body could not be read: " + firstLine(jackson.getOriginalMessage());
  }

  static <T extends Throwable> T find(Throwable ex, Class<T> type) {
    for (Throwable t = ex; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }

  private static String path(JacksonException ex) {
    StringBuilder sb = new StringBuilder();
    for (JacksonException.Reference ref : ex.getPath()) {
      if (ref.getPropertyName() != null) {
        if (!sb.isEmpty()) {
          sb.append('.');
        }
        sb.append(ref.getPropertyName());
      } else if (ref.getIndex() >= 0) {
        sb.append('[').append(ref.getIndex()).append(']');
      }
    }
    return sb.toString();
  }

  private static String subject(String path) {
    return path.isEmpty() ? "request body" : path;
  }

  private static String expected(Class<?> type) {
    if (type == String.class || CharSequence.class.isAssignableFrom(type)) {
      return "a string";
    }
    if (type == Integer.class
        || type == int.class
        || type == Long.class
        || type == long.class
        || type == Short.class
        || type == short.class) {
      return "an integer";
    }
    if (Number.class.isAssignableFrom(type) || type == double.class || type == float.class) {
      return "a number";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (type == byte[].class) {
      return "a base64 string";
    }
    if (type.isEnum()) {
      return "one of "
          + Arrays.stream(type.getEnumConstants())
              .map(c -> ((Enum<?>) c).name().toLowerCase(Locale.ROOT))
              .collect(Collectors.joining(", "));
    }
    if (type.isArray() || Collection.class.isAssignableFrom(type)) {
      return "an array";
    }
    if (Map.class.isAssignableFrom(type) || type.isRecord()) {
      return "a JSON object";
    }
    return "a value of another type";
  }

  private static String at(TokenStreamLocation location) {
    if (location == null || location.getLineNr() < 0) {
      return "";
    }
    return " at line " + location.getLineNr() + ", column " + location.getColumnNr();
  }

  private static String quote(Object value) {
    return value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable input";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
