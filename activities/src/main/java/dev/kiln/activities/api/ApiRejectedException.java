package dev.kiln.activities.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.workflows.internal.AttemptFencing;
import java.io.IOException;
import java.net.http.HttpRequest;

/** The api answered with an error status; {@link #isRetryable()} tells a 5xx from a 4xx. */
public class ApiRejectedException extends RuntimeException {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final int status;
  private final String detail;
  private final String type;

  public ApiRejectedException(String message, int status) {
    this(message, status, null, null);
  }

  ApiRejectedException(String message, int status, String detail, String type) {
    super(message);
    this.status = status;
    this.detail = detail;
    this.type = type;
  }

  static ApiRejectedException of(HttpRequest request, int status, String body) {
    String shown = body == null ? "" : body.length() > 500 ? body.substring(0, 500) : body;
    return new ApiRejectedException(
        request.method() + " " + request.uri().getPath() + " → " + status + " " + shown,
        status,
        problemMember(body, "detail"),
        problemMember(body, "type"));
  }

  /** A text member of an {@code application/problem+json} answer, if it was one. */
  private static String problemMember(String body, String name) {
    if (body == null || body.isBlank()) {
      return null;
    }
    try {
      JsonNode member = JSON.readTree(body).get(name);
      return member == null || !member.isTextual() ? null : member.asText();
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * Whether the api refused the write because its attempt is no longer the run's current one: the
   * run started over on another host.
   */
  public boolean isStaleAttempt() {
    return status == 409 && AttemptFencing.STALE_ATTEMPT_TYPE.equals(type);
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
