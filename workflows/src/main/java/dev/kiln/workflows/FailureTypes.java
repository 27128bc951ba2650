package dev.kiln.workflows;

/**
 * {@code ApplicationFailure} types. A build failure is non-retryable and carries the failure
 * summary as its message; infrastructure failures are retried. These strings are persisted in
 * workflow histories: never rename one.
 */
public final class FailureTypes {

  /** The requested branch, tag or sha does not exist in the repository. */
  public static final String REF_NOT_FOUND = "KilnRefNotFound";

  /** The repository URL is not allowed or not a git repository. */
  public static final String BAD_REPOSITORY = "KilnBadRepository";

  /** The repository could not be reached after retries (network, auth, server down). */
  public static final String REPO_UNREACHABLE = "KilnRepoUnreachable";

  /** kiln.yaml is invalid; the message names the file, line and problem. */
  public static final String INVALID_SPEC = "KilnInvalidSpec";

  /** No kiln.yaml and no build system Kiln knows how to detect. */
  public static final String NO_PLAN = "KilnNoPlan";

  /** A compile command exited non-zero; the message is the failure summary. */
  public static final String COMPILE_FAILED = "KilnCompileFailed";

  /** A command ran past its timeout and was killed. */
  public static final String TIMED_OUT = "KilnTimedOut";

  /** Staging artifacts failed (an upload the api rejected, a glob matching nothing required). */
  public static final String STAGE_FAILED = "KilnStageFailed";

  /** A lane was asked to take a run of another repository, branch or architecture. */
  public static final String WRONG_LANE = "KilnWrongLane";

  /** A lane was asked to take a run it already took (a retried submit after continue-as-new). */
  public static final String DUPLICATE_RUN = "KilnDuplicateRun";

  /**
   * The build host stopped mid-step (its worker shut down): the run must restart on another host,
   * like a host that died.
   */
  public static final String HOST_LOST = "KilnHostLost";

  /**
   * The run was cancelled and its host stopped the command (the workflow's stop activity) before
   * Temporal's cancel reached the command's activity: the workflow treats it as the cancel.
   */
  public static final String STOPPED = "KilnStopped";

  private FailureTypes() {}

  /** Types that are the build's fault: retrying them cannot help. */
  public static final String[] BUILD_FAILURES = {
    REF_NOT_FOUND, BAD_REPOSITORY, INVALID_SPEC, NO_PLAN, COMPILE_FAILED, TIMED_OUT, STAGE_FAILED
  };
}
