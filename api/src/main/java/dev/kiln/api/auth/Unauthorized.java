package dev.kiln.api.auth;

import dev.kiln.api.web.ApiException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;

/** The 401s of the public API, each with {@code WWW-Authenticate: Bearer} (RFC 6750). */
final class Unauthorized {

  static final String REALM = "kiln";

  private Unauthorized() {}

  static ApiException missingToken() {
    return problem(
        "missing bearer token: send 'Authorization: Bearer <token>' (see POST /tokens, or"
            + " kiln-dev.jar token create)",
        "Bearer realm=\"" + REALM + "\"");
  }

  /** The header of {@link #missingToken()}, for filters that write the response themselves. */
  static String missingTokenChallenge() {
    return "Bearer realm=\"" + REALM + "\"";
  }

  private static ApiException problem(String detail, String challenge) {
    ApiException e = new ApiException(HttpStatus.UNAUTHORIZED, detail);
    e.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, challenge);
    return e;
  }
}
