package dev.kiln.api.web;

import java.io.IOException;

/**
 * Thrown from a request body stream that has read more than its limit. It is an {@link IOException}
 * so that it travels through message converters, which wrap it; the exception handler finds it in
 * the cause chain and answers 413.
 */
public class BodyTooLargeException extends IOException {

  private final long limit;

  public BodyTooLargeException(long limit) {
    super("request body exceeds " + limit + " bytes");
    this.limit = limit;
  }

  public long limit() {
    return limit;
  }

  public String detail() {
    return "request body is larger than the limit of " + BodySizeLimitFilter.human(limit);
  }
}
