package dev.kiln.activities.watch;

import dev.kiln.activities.fetch.FetchException;
import dev.kiln.activities.fetch.RemoteHeads;
import dev.kiln.workflows.internal.InternalBodies.Head;
import dev.kiln.workflows.watch.RemoteHeadsActivities;
import io.temporal.failure.ApplicationFailure;
import java.util.List;

/** Lists a watched repository's branches on this build worker: {@link RemoteHeads}. */
public class RemoteHeadsActivitiesImpl implements RemoteHeadsActivities {

  private final RemoteHeads remoteHeads;

  public RemoteHeadsActivitiesImpl(RemoteHeads remoteHeads) {
    this.remoteHeads = remoteHeads;
  }

  @Override
  public List<Head> listHeads(String url) {
    try {
      return remoteHeads.list(url);
    } catch (FetchException e) {
      throw e.retryable()
          ? ApplicationFailure.newFailure(e.getMessage(), e.failureType())
          : ApplicationFailure.newNonRetryableFailure(e.getMessage(), e.failureType());
    }
  }
}
