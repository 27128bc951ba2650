package dev.kiln.activities.culprit;

import dev.kiln.activities.fetch.CommitHistory;
import dev.kiln.activities.fetch.FetchException;
import dev.kiln.workflows.culprit.CommitHistoryActivities;
import dev.kiln.workflows.culprit.CommitInfo;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.util.List;

/** Lists the commits a bisection searches on this build worker: {@link CommitHistory}. */
public class CommitHistoryActivitiesImpl implements CommitHistoryActivities {

  /** The failure type of a good commit that is not on the bad one's first-parent path. */
  public static final String NOT_ANCESTOR = "KilnNotAncestor";

  private final CommitHistory history;

  public CommitHistoryActivitiesImpl(CommitHistory history) {
    this.history = history;
  }

  @Override
  public List<CommitInfo> firstParentCommits(String repo, String goodSha, String badSha) {
    try {
      return history.firstParentCommits(repo, goodSha, badSha);
    } catch (CommitHistory.NotAncestorException e) {
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), NOT_ANCESTOR);
    } catch (FetchException e) {
      throw e.retryable()
          ? ApplicationFailure.newFailure(e.getMessage(), e.failureType())
          : ApplicationFailure.newNonRetryableFailure(e.getMessage(), e.failureType());
    } catch (IOException e) {
      throw ApplicationFailure.newFailure(
          "could not read the mirror: " + e.getMessage(), "KilnMirrorUnreadable");
    }
  }
}
