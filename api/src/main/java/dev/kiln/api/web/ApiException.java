package dev.kiln.api.web;

import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * A request the api refuses, with the status and the {@code detail} the client sees. The one
 * exception handler renders it as {@code application/problem+json}.
 */
public class ApiException extends ErrorResponseException {

  public ApiException(HttpStatusCode status, String detail) {
    super(status, ProblemDetail.forStatusAndDetail(status, detail), null);
  }

  public static ApiException badRequest(String detail) {
    return new ApiException(HttpStatus.BAD_REQUEST, detail);
  }

  public static ApiException forbidden(String detail) {
    return new ApiException(HttpStatus.FORBIDDEN, detail);
  }

  public static ApiException notFound(String detail) {
    return new ApiException(HttpStatus.NOT_FOUND, detail);
  }

  public static ApiException conflict(String detail) {
    return new ApiException(HttpStatus.CONFLICT, detail);
  }

  public static ApiException unprocessable(String detail) {
    return new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, detail);
  }

  public static ApiException payloadTooLarge(String detail) {
    return new ApiException(HttpStatus.CONTENT_TOO_LARGE, detail);
  }

  public static ApiException runNotFound(long runId) {
    return notFound("run " + runId + " does not exist");
  }

  /** Adds a member to the problem body, e.g. {@code run_id}. */
  public ApiException with(String name, Object value) {
    getBody().setProperty(name, value);
    return this;
  }

  @Override
  public String getMessage() {
    return getStatusCode().value() + " " + getBody().getDetail();
  }
}
