package dev.kiln.workflows.activities;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * Runs on the host queue returned by fetch, where the workspace is. Long methods heartbeat and,
 * when cancelled, kill the command's whole process group before they return.
 */
@ActivityInterface
public interface BuildActivities {

  /**
   * Runs the plan's compile commands in order. Fails non-retryably with {@code COMPILE_FAILED}
   * (message: the failure summary) or {@code TIMED_OUT}.
   */
  @ActivityMethod
  void compile(CompileRequest request);

  /** Uploads the files matching the plan's artifact globs to the api. */
  @ActivityMethod
  StageResult stage(StageRequest request);

  /** Runs one gate and reads its JUnit XML reports. */
  @ActivityMethod
  GateResult gate(GateRequest request);

  /**
   * Stops the run's commands running on this host at once, as a cancel would: the workflow asks for
   * it as soon as the run is cancelled or superseded, rather than leaving the cancel to the
   * command's next heartbeat. A command that is only about to start is stopped as it starts. Their
   * activities then fail with {@code STOPPED}.
   */
  @ActivityMethod
  void stop(long runId);

  /** Removes the workspace. Idempotent: a workspace already gone is fine. */
  @ActivityMethod
  void cleanup(CleanupRequest request);
}
