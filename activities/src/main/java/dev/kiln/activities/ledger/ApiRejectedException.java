package dev.kiln.activities.ledger;

import java.net.http.HttpRequest;

/** The api answered with an error status; {@link #isRetryable()} tells a 5xx from a 4xx. */
public class ApiRejectedException extends RuntimeException {

  private final int status;

  public ApiRejectedException(String message, int status) {
    super(message);
    this.status = status;
  }

  static ApiRejectedException of(HttpRequest request, int status, String body) {
    String detail = body == null ? "" : body.length() > 500 ? body.substring(0, 500) : body;
    return new ApiRejectedException(
        request.method() + " " + request.uri().getPath() + " → " + status + " " + detail, status);
  }

  public int status() {
    return status;
  }

  /** Server-side trouble (5xx) or throttling may pass; a 4xx will not. */
  public boolean isRetryable() {
    return status >= 500 || status == 429 || status == 408;
  }
}
