package dev.kiln.activities.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpRequest;

/** The api answered with an error status; {@link #isRetryable()} tells a 5xx from a 4xx. */
public class ApiRejectedException extends RuntimeException {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final int status;
  private final String detail;

  public ApiRejectedException(String message, int status) {
    this(message, status, null);
  }

  private ApiRejectedException(String message, int status, String detail) {
    super(message);
    this.status = status;
    this.detail = detail;
  }

  static ApiRejectedException of(HttpRequest request, int status, String body) {
    String shown = body == null ? "" : body.length() > 500 ? body.substring(0, 500) : body;
    return new ApiRejectedException(
        request.method() + " " + request.uri().getPath() + " → " + status + " " + shown,
        status,
        problemDetail(body));
  }

  /** The {@code detail} of an {@code application/problem+json} answer, if it was one. */
  private static String problemDetail(String body) {
    if (body == null || body.isBlank()) {
      return null;
    }
    try {
      JsonNode detail = JSON.readTree(body).get("detail");
      return detail == null || !detail.isTextual() ? null : detail.asText();
    } catch (IOException e) {
      return null;
    }
  }

  public int status() {
    return status;
  }

  /** The api's own words on what it refused, or the whole message when it sent none. */
  public String detail() {
    return detail != null ? detail : getMessage();
  }

  /** Server-side trouble (5xx) or throttling may pass; a 4xx will not. */
  public boolean isRetryable() {
    return status >= 500 || status == 429 || status == 408;
  }
}
