package dev.kiln.activities.api;

/** The api could not be reached or answered garbage: worth retrying. */
public class ApiUnavailableException extends RuntimeException {

  public ApiUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
