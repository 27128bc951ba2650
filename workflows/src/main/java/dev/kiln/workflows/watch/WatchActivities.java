package dev.kiln.workflows.watch;

import dev.kiln.workflows.internal.InternalBodies.Heads;
import dev.kiln.workflows.internal.InternalBodies.HeadsAnswer;
import io.temporal.activity.ActivityInterface;

/** On the control queue: the api's side of a poll. */
@ActivityInterface
public interface WatchActivities {

  /**
   * Hands the listed heads to the api ({@code POST /internal/repos/{id}/heads}), which starts a
   * rebuild of each watched branch whose head moved since the last build Kiln started for it.
   */
  HeadsAnswer buildMoved(long repoId, Heads heads);
}
