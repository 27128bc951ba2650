package dev.kiln.activities.api;

import dev.kiln.activities.RunAttempt;

/**
 * A write for an attempt that is superseded: the api refused it as stale, or the host knew already
 * and did not send it. Never retried.
 */
public class StaleAttemptException extends ApiRejectedException {

  private StaleAttemptException(String message, String detail) {
    super(message, 409, detail, null);
  }

  @Override
  public boolean isStaleAttempt() {
    return true;
  }

  /** The api's refusal of a write, {@link ApiRejectedException#isStaleAttempt()}. */
  static StaleAttemptException refused(ApiRejectedException refusal) {
    return new StaleAttemptException(refusal.getMessage(), refusal.detail());
  }

  /** A write not sent, because the host knows its attempt is superseded. */
  static StaleAttemptException notSent(RunAttempt attempt, String path) {
    String why = attempt.supersededBecause().orElse("superseded");
    return new StaleAttemptException(
        "not sent to " + path + ": " + attempt + " is superseded (" + why + ")", why);
  }
}
