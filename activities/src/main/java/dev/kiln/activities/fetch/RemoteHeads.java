package dev.kiln.activities.fetch;

import dev.kiln.workflows.internal.InternalBodies.Head;
import dev.kiln.workflows.repo.RepositoryPolicy;
import dev.kiln.workflows.repo.RepositoryRefusedException;
import dev.kiln.workflows.repo.RepositoryUrl;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.LsRemoteCommand;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.InvalidRemoteException;
import org.eclipse.jgit.api.errors.TransportException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.Ref;

/**
 * A remote's branches and their commits ({@code git ls-remote --heads}), reached the way a fetch
 * reaches it: the repository policy applied to the URL, then {@link RemoteAccess}'s pinned HTTP
 * transport and credentials for the connection. Nothing is written to disk.
 */
public final class RemoteHeads {

  private final RepositoryPolicy policy;
  private final RemoteAccess remotes;
  private final int timeoutSeconds;

  /**
   * @param timeout how long connecting, and each read, may stall
   */
  public RemoteHeads(RepositoryPolicy policy, RemoteAccess remotes, Duration timeout) {
    this.policy = policy;
    this.remotes = remotes;
    this.timeoutSeconds = (int) Math.max(1, timeout.toSeconds());
  }

  /**
   * @return each branch ({@code main}, not {@code refs/heads/main}) with its commit, by name
   * @throws BadRepositoryException the policy refuses the URL or its host, or no repository is
   *     there (not retryable)
   * @throws RepositoryUnreachableException network, auth or server trouble (retryable)
   */
  public List<Head> list(String repo) throws FetchException {
    RepositoryUrl url = checked(repo);
    try {
      LsRemoteCommand command =
          Git.lsRemoteRepository()
              .setRemote(url.canonical())
              .setHeads(true)
              .setTags(false)
              .setTimeout(timeoutSeconds);
      remotes.configure(command, url);
      return heads(command.call());
    } catch (InvalidRemoteException e) {
      throw new BadRepositoryException("no git repository at " + url.canonical());
    } catch (RemoteAccess.RefusedTransportException e) {
      throw new BadRepositoryException("repository not allowed: " + e.getMessage());
    } catch (TransportException e) {
      throw FetchFailures.classify(url, e, remotes.credentials());
    } catch (GitAPIException e) {
      throw FetchFailures.classify(url, e, remotes.credentials());
    }
  }

  private RepositoryUrl checked(String repo) throws BadRepositoryException {
    try {
      return policy.check(repo);
    } catch (RepositoryRefusedException e) {
      throw new BadRepositoryException("repository not allowed: " + e.reason());
    }
  }

  private static List<Head> heads(Collection<Ref> refs) {
    return refs.stream()
        .filter(ref -> ref.getName().startsWith(Constants.R_HEADS) && ref.getObjectId() != null)
        .map(
            ref ->
                new Head(
                    ref.getName().substring(Constants.R_HEADS.length()), ref.getObjectId().name()))
        .sorted(Comparator.comparing(Head::branch))
        .toList();
  }
}
