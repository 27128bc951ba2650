package dev.kiln.workflows.activities;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Runs on {@code kiln-build-<arch>}: whichever host takes it owns the run from then on. */
@ActivityInterface
public interface FetchActivities {

  /**
   * Updates this host's mirror of the repository, resolves the ref, checks it out into a fresh
   * workspace and reads the pipeline plan.
   *
   * <p>Fails non-retryably with {@code REF_NOT_FOUND}, {@code BAD_REPOSITORY}, {@code INVALID_SPEC}
   * or {@code NO_PLAN}; a repository that cannot be reached fails retryably.
   */
  @ActivityMethod
  FetchResult fetch(FetchRequest request);
}
