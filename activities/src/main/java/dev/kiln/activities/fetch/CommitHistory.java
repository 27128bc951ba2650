package dev.kiln.activities.fetch;

import dev.kiln.workflows.culprit.CommitInfo;
import dev.kiln.workflows.repo.RepositoryPolicy;
import dev.kiln.workflows.repo.RepositoryRefusedException;
import dev.kiln.workflows.repo.RepositoryUrl;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first-parent commits between two commits of a repository, read from this host's mirror after
 * updating it: what a bisection searches. The repository policy is applied as a fetch applies it.
 */
public final class CommitHistory {

  /** A range longer than this is not bisected: the walk stops, as for a commit not on the path. */
  public static final int MAX_COMMITS = 10_000;

  private static final Logger log = LoggerFactory.getLogger(CommitHistory.class);

  private final RepositoryPolicy policy;
  private final MirrorCache mirrors;

  public CommitHistory(RepositoryPolicy policy, MirrorCache mirrors) {
    this.policy = policy;
    this.mirrors = mirrors;
  }

  /** {@code goodSha} is not on {@code badSha}'s first-parent path (a force push between them). */
  public static final class NotAncestorException extends Exception {
    NotAncestorException(String message) {
      super(message);
    }
  }

  /**
   * The commits after {@code goodSha} up to {@code badSha} on the first-parent path, oldest first,
   * {@code badSha} included.
   *
   * @throws NotAncestorException {@code goodSha} is not on the path within {@link #MAX_COMMITS}
   * @throws RefNotFoundException either commit is not in the repository
   * @throws BadRepositoryException the policy refuses the repository, or none is there
   * @throws RepositoryUnreachableException network, auth or server trouble (retryable)
   */
  public List<CommitInfo> firstParentCommits(String repo, String goodSha, String badSha)
      throws FetchException, IOException, NotAncestorException {
    RepositoryUrl url = checked(repo);
    MirrorCache.MirrorAction<List<CommitInfo>> walk = mirror -> walkOrNull(mirror, goodSha, badSha);
    List<CommitInfo> commits = mirrors.sync(url, line -> log.debug("{}", line), walk);
    if (commits == null) {
      throw new NotAncestorException(
          goodSha + " is not a first-parent ancestor of " + badSha + " within " + MAX_COMMITS);
    }
    return commits;
  }

  /** The walk, or {@code null} when {@code goodSha} is not on the path. */
  static List<CommitInfo> walkOrNull(Repository repository, String goodSha, String badSha)
      throws FetchException, IOException {
    ObjectId good = resolve(repository, goodSha);
    ObjectId bad = resolve(repository, badSha);
    List<CommitInfo> commits = new ArrayList<>();
    try (RevWalk walk = new RevWalk(repository)) {
      RevCommit commit = walk.parseCommit(bad);
      while (!commit.equals(good)) {
        if (commits.size() >= MAX_COMMITS || commit.getParentCount() == 0) {
          return null;
        }
        commits.add(info(commit));
        commit = walk.parseCommit(commit.getParent(0));
      }
    }
    Collections.reverse(commits);
    return commits;
  }

  private static ObjectId resolve(Repository repository, String sha)
      throws FetchException, IOException {
    try {
      ObjectId id = ObjectId.isId(sha) ? ObjectId.fromString(sha) : repository.resolve(sha);
      if (id == null || !repository.getObjectDatabase().has(id)) {
        throw new RefNotFoundException(sha);
      }
      return id;
    } catch (MissingObjectException e) {
      throw new RefNotFoundException(sha);
    }
  }

  private static CommitInfo info(RevCommit commit) {
    PersonIdent author = commit.getAuthorIdent();
    return new CommitInfo(
        commit.name(),
        author.getName() + " <" + author.getEmailAddress() + ">",
        commit.getShortMessage());
  }

  private RepositoryUrl checked(String repo) throws BadRepositoryException {
    try {
      return policy.check(repo);
    } catch (RepositoryRefusedException e) {
      throw new BadRepositoryException("repository not allowed: " + e.reason());
    }
  }
}
