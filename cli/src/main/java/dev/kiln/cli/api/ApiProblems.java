package dev.kiln.cli.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.cli.config.CliConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** The api's refusals ({@code application/problem+json}) as one line for the terminal. */
final class ApiProblems {

  private static final int MAX_DETAIL = 300;

  private ApiProblems() {}

  /** The problem's {@code detail} (else its {@code title}), or the body itself if not JSON. */
  static String detail(ObjectMapper json, byte[] body) {
    try {
      JsonNode problem = json.readTree(body);
      if (problem != null && problem.isObject()) {
        String detail = problem.path("detail").asText("");
        return detail.isBlank() ? problem.path("title").asText("") : detail;
      }
    } catch (IOException notJson) {
      // fall through to the raw text
    }
    String text = new String(body, StandardCharsets.UTF_8).strip().replaceAll("\\s+", " ");
    return text.length() > MAX_DETAIL ? text.substring(0, MAX_DETAIL) + "…" : text;
  }

  /** {@code "404: run 99 does not exist"}, with a hint where the status has a usual cause. */
  static String describe(int status, String detail, CliConfig config) {
    StringBuilder line = new StringBuilder().append(status);
    if (!detail.isBlank()) {
      line.append(": ").append(detail);
    }
    if (status == 401) {
      line.append(
          config.token().isPresent()
              ? " (check KILN_TOKEN)"
              : " (set KILN_TOKEN, or token= in ~/.config/kiln/config)");
    }
    return line.toString();
  }
}
