package dev.kiln.workflows.culprit;

import io.temporal.activity.ActivityInterface;
import java.util.List;

/**
 * On a build worker ({@link dev.kiln.workflows.TaskQueues#WATCH}), which holds the repository
 * credentials, applies the repository policy and keeps mirrors: the commits a bisection searches.
 */
@ActivityInterface
public interface CommitHistoryActivities {

  /**
   * The first-parent commits after {@code goodSha} up to {@code badSha}, oldest first, the bad one
   * included: what {@code git rev-list --first-parent --reverse good..bad} lists, from the host's
   * updated mirror of {@code repo}. Fails, not retryably, when {@code goodSha} is not a
   * first-parent ancestor of {@code badSha} (a force push between the two runs).
   */
  List<CommitInfo> firstParentCommits(String repo, String goodSha, String badSha);
}
