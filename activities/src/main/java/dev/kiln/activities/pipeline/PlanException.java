package dev.kiln.activities.pipeline;

/**
 * Why no plan could be made for a workspace. Always the build's fault, so never retryable: the
 * activity adapter turns it into a non-retryable {@code ApplicationFailure} of {@link
 * #failureType()}, with the message as the run's failure summary.
 */
public abstract sealed class PlanException extends Exception
    permits InvalidSpecException, NoPlanException {

  PlanException(String message) {
    super(message);
  }

  /** One of the {@link dev.kiln.workflows.FailureTypes} constants. */
  public abstract String failureType();
}
