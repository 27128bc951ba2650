package dev.kiln.workflows.culprit;

/**
 * The commit a bisection named: the first commit of the range that fails the way the bisected run
 * failed, whose parent passes, both seen twice.
 *
 * @param runId the bisect build that confirmed it fails
 */
public record Culprit(String sha, String author, String subject, long runId) {

  public static Culprit of(CommitInfo commit, long runId) {
    return new Culprit(commit.sha(), commit.author(), commit.subject(), runId);
  }
}
