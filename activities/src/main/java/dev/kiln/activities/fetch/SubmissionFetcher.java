package dev.kiln.activities.fetch;

import dev.kiln.workflows.submission.LocalSubmissions;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.function.Consumer;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.errors.TransportException;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.TransportBundleStream;
import org.eclipse.jgit.transport.URIish;

/**
 * Gets a local submission's source onto this host: its bundle from the {@link SubmissionSource},
 * unpacked into a fresh workspace's own object store and checked out at the commit the run was
 * told. No git remote is involved, so the repository policy has nothing to judge; what is checked
 * instead is integrity: git names every object by the hash of its content and the unpacking hashes
 * every object it receives, so the told commit being there after the unpacking proves that the tree
 * checked out is the one submitted. A bundle without it fails the run. Objects are also checked as
 * {@code git fsck} would ({@code .git} paths and other malformed trees are refused).
 */
public final class SubmissionFetcher {

  private static final String FETCHED = "refs/kiln/submission/";

  /** What JGit names the bundle's source in its messages. */
  private static final URIish UPLOAD = new URIish().setPath("kiln-upload");

  private final SubmissionSource source;
  private final Workspaces workspaces;

  public SubmissionFetcher(SubmissionSource source, Workspaces workspaces) {
    this.source = source;
    this.workspaces = workspaces;
  }

  /**
   * Checks out run {@code runId}'s upload at {@code sha}.
   *
   * @param sha the snapshot commit, the run's ref
   * @throws BadRepositoryException the upload is gone, is no bundle, or does not hold {@code sha}
   *     (not retryable)
   * @throws RepositoryUnreachableException the api could not be reached (retryable)
   * @throws IOException this host's disk failed (retryable)
   */
  public GitFetcher.CheckedOut fetch(long runId, String sha, Consumer<String> progress)
      throws FetchException, IOException {
    if (!LocalSubmissions.isFullSha(sha)) {
      throw new BadRepositoryException("a local submission's ref must be a full sha: " + sha);
    }
    progress.accept("Fetching the local submission's upload of run " + runId);
    try (InputStream bundle = source.open(runId)) {
      var workspace =
          workspaces.checkoutFilled(runId, sha, repo -> unbundle(repo, bundle, sha), progress);
      progress.accept("Checked out " + sha.substring(0, 7) + " into " + workspace);
      return new GitFetcher.CheckedOut(sha, null, workspace);
    } catch (NotTheSubmission e) {
      throw new BadRepositoryException(e.getMessage());
    }
  }

  private static void unbundle(Repository repo, InputStream bundle, String sha) throws IOException {
    try (Transport transport = new TransportBundleStream(repo, UPLOAD, bundle)) {
      transport.setCheckFetchedObjects(true);
      transport.fetch(
          NullProgressMonitor.INSTANCE, List.of(new RefSpec("+refs/heads/*:" + FETCHED + "*")));
    } catch (TransportException e) {
      throw new NotTheSubmission("the upload is not a readable git bundle: " + e.getMessage());
    }
    try (RevWalk walk = new RevWalk(repo)) {
      walk.parseCommit(ObjectId.fromString(sha));
    } catch (MissingObjectException e) {
      throw new NotTheSubmission(
          "the upload does not hold commit " + sha + ", which the run was submitted as");
    }
  }

  /** The upload is not what the run was submitted with. */
  private static final class NotTheSubmission extends IOException {
    private static final long serialVersionUID = 1L;

    NotTheSubmission(String message) {
      super(message);
    }
  }
}
