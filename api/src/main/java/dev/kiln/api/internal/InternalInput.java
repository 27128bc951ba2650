package dev.kiln.api.internal;

import dev.kiln.api.web.ApiException;
import dev.kiln.workflows.Phase;
import dev.kiln.workflows.Result;
import dev.kiln.workflows.activities.GateStatus;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Checks of what workers send; each failure is a 400 naming the field. */
final class InternalInput {

  static final int MAX_NAME = 200;
  static final int MAX_SUMMARY = 4000;

  private static final Pattern SHA = Pattern.compile("[0-9a-fA-F]{7,64}");

  private InternalInput() {}

  static Phase phase(String raw) {
    return parse("phase", raw, Phase.values(), Phase::wireName);
  }

  static GateStatus gateStatus(String raw) {
    return parse("status", raw, GateStatus.values(), GateStatus::wireName);
  }

  static Result terminalResult(String raw) {
    Result[] terminal =
        Arrays.stream(Result.values()).filter(Result::isTerminal).toArray(Result[]::new);
    return parse("result", raw, terminal, Result::wireName);
  }

  static String sha(String raw) {
    if (raw == null || raw.isBlank()) {
      throw ApiException.badRequest("sha is required");
    }
    if (!SHA.matcher(raw).matches()) {
      throw ApiException.badRequest("sha: \"" + raw + "\" is not a hex commit id");
    }
    return raw.toLowerCase(Locale.ROOT);
  }

  /** A gate or step name: required, printable, at most {@value #MAX_NAME} characters. */
  static String name(String field, String raw) {
    if (raw == null || raw.isBlank()) {
      throw ApiException.badRequest(field + " is required");
    }
    if (raw.length() > MAX_NAME) {
      throw ApiException.badRequest(field + ": longer than " + MAX_NAME + " characters");
    }
    if (raw.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw ApiException.badRequest(field + ": must not contain control characters");
    }
    return raw;
  }

  /** Free text from a build: NUL (which PostgreSQL cannot store) replaced, length capped. */
  static String text(String raw, int max) {
    if (raw == null) {
      return null;
    }
    String clean = raw.replace('\0', '\uFFFD');
    if (clean.codePointCount(0, clean.length()) <= max) {
      return clean;
    }
    return clean.substring(0, clean.offsetByCodePoints(0, max - 1)) + "…";
  }

  static int count(String field, Integer value) {
    if (value == null) {
      return 0;
    }
    if (value < 0) {
      throw ApiException.badRequest(field + ": must not be negative, got " + value);
    }
    return value;
  }

  private static <E> E parse(String field, String raw, E[] values, Function<E, String> wire) {
    if (raw == null || raw.isBlank()) {
      throw ApiException.badRequest(field + " is required");
    }
    String wanted = raw.trim().toLowerCase(Locale.ROOT);
    return Arrays.stream(values)
        .filter(v -> wire.apply(v).equals(wanted))
        .findFirst()
        .orElseThrow(
            () ->
                ApiException.badRequest(
                    field
                        + ": \""
                        + raw
                        + "\" is not one of "
                        + Arrays.stream(values).map(wire).collect(Collectors.joining(", "))));
  }
}
