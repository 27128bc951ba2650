package dev.kiln.api.temporal;

import dev.kiln.workflows.RebuildRequest;

/** Starts the {@code RebuildWorkflow} of a recorded run. */
public interface RebuildStarter {

  /**
   * Starts workflow {@code kiln-run-<runId>} on {@code kiln-control}. Starting a run that was
   * started already is not an error: the existing execution is the answer.
   *
   * @param lane the lane whose workflow runs the build (a newer run of the lane supersedes it), or
   *     {@code null} for a run in a lane of its own, started directly
   * @param runUrl the run view's absolute URL, linked from the workflow's details in the Web UI
   * @return Temporal's run id of the execution, or {@code null} when the lane starts it later
   * @throws StartFailedException when Temporal refused or could not be reached
   */
  String start(RebuildRequest request, String lane, String runUrl);

  /** Why a workflow did not start; the message is one line, fit for a failure summary. */
  class StartFailedException extends RuntimeException {

    public StartFailedException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
