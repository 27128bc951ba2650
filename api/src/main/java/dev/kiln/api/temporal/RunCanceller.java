package dev.kiln.api.temporal;

/** Asks Temporal to cancel a run ({@code PUT /build-jobs/{id}/cancel}). */
public interface RunCanceller {

  /** Where the cancellation went. */
  enum Delivery {
    /** Signalled to the lane workflow, which cancels the run whether it waits or builds. */
    LANE,
    /** Requested on the run's own workflow {@code kiln-run-<id>}. */
    RUN,
    /** Neither the lane nor {@code kiln-run-<id>} is open: nothing in Temporal will end the run. */
    NO_WORKFLOW
  }

  /**
   * Cancels run {@code runId}. Repeating it is harmless: the lane ignores a run it already stopped,
   * and Temporal keeps one cancel request per workflow.
   *
   * @param lane the lane whose workflow holds the run, or {@code null} for a run started directly;
   *     a lane that is not open falls back to the run's own workflow
   * @throws CancelFailedException when Temporal refused or could not be reached
   */
  Delivery cancel(long runId, String lane);

  /** Temporal could not be asked; the message is one line. */
  class CancelFailedException extends RuntimeException {

    public CancelFailedException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
