package dev.kiln.activities.watch;

import dev.kiln.activities.api.KilnApiClient;
import dev.kiln.workflows.internal.InternalBodies.Heads;
import dev.kiln.workflows.internal.InternalBodies.HeadsAnswer;
import dev.kiln.workflows.internal.InternalPaths;
import dev.kiln.workflows.watch.WatchActivities;

/** The api's side of a poll: {@code POST /internal/repos/{id}/heads}. */
public class WatchActivitiesImpl implements WatchActivities {

  private final KilnApiClient api;

  public WatchActivitiesImpl(KilnApiClient api) {
    this.api = api;
  }

  @Override
  public HeadsAnswer buildMoved(long repoId, Heads heads) {
    return api.post(InternalPaths.repoHeads(repoId), heads, HeadsAnswer.class);
  }
}
