package dev.kiln.activities.fetch;

import dev.kiln.workflows.repo.RepositoryPolicy;
import dev.kiln.workflows.repo.RepositoryRefusedException;
import dev.kiln.workflows.repo.RepositoryUrl;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Gets a run's source onto this host: applies the repository policy to the URL and ref (as the api
 * did at submit), updates the host's mirror, resolves the ref and checks the commit out into a
 * fresh workspace. The fetch activity is a thin adapter over {@link #fetch}.
 */
public final class GitFetcher {

  /** How long a network read may stall before the fetch fails and Temporal retries it. */
  public static final Duration DEFAULT_IO_TIMEOUT = Duration.ofMinutes(2);

  /**
   * A checked-out run.
   *
   * @param sha the full commit id
   * @param branch the branch the ref went through; {@code null} for a tag or a sha
   * @param workspace the working tree, HEAD detached at {@code sha}
   */
  public record CheckedOut(String sha, String branch, Path workspace) {}

  private final RepositoryPolicy policy;
  private final MirrorCache mirrors;
  private final RefResolver resolver;
  private final Workspaces workspaces;

  /**
   * @param kilnHome mirrors go to {@code work/mirrors}, workspaces to {@code work/runs}
   * @param policy the repository policy the api applied at submit, applied again here
   * @param remotes how repositories are reached; its HTTP transport applies {@code policy} to every
   *     connection
   */
  public GitFetcher(Path kilnHome, RepositoryPolicy policy, RemoteAccess remotes) {
    this(kilnHome, new Workspaces(kilnHome), policy, remotes);
  }

  /** With the host's {@link Workspaces}, which remembers the lanes of the workspaces it made. */
  public GitFetcher(
      Path kilnHome, Workspaces workspaces, RepositoryPolicy policy, RemoteAccess remotes) {
    this(
        policy,
        new MirrorCache(kilnHome, DEFAULT_IO_TIMEOUT, remotes),
        new RefResolver(),
        workspaces);
  }

  public GitFetcher(
      RepositoryPolicy policy, MirrorCache mirrors, RefResolver resolver, Workspaces workspaces) {
    this.policy = policy;
    this.mirrors = mirrors;
    this.resolver = resolver;
    this.workspaces = workspaces;
  }

  /**
   * Fetches {@code repo} and checks out {@code ref} for run {@code runId}.
   *
   * @param ref branch, tag, {@code refs/...} name, full or short sha; {@code null} for the
   *     repository's default branch
   * @param progress receives progress lines for the run log ("Resolved main → 9f1c2ab")
   * @throws RefNotFoundException the ref does not exist, or the policy refuses it (not retryable)
   * @throws AmbiguousRefException a short sha matches several commits (not retryable)
   * @throws BadRepositoryException the policy refuses the URL or its host, or no repository is
   *     there (not retryable)
   * @throws RepositoryUnreachableException network, auth or server trouble (retryable)
   * @throws IOException this host's disk failed while checking out (retryable)
   */
  public CheckedOut fetch(String repo, String ref, long runId, Consumer<String> progress)
      throws FetchException, IOException {
    return fetch(repo, ref, runId, null, progress);
  }

  /**
   * As {@link #fetch(String, String, long, Consumer)}, starting from the workspace the lane's
   * previous build on this host left, if any.
   *
   * @param laneKey the lane's key ({@link Workspaces#laneKey}); {@code null} for a fresh workspace
   */
  public CheckedOut fetch(
      String repo, String ref, long runId, String laneKey, Consumer<String> progress)
      throws FetchException, IOException {
    RepositoryUrl url = checked(repo, ref);
    String refShown = ref == null || ref.isBlank() ? "the default branch" : ref;
    progress.accept("Fetching " + url.canonical() + " at " + refShown);

    ResolvedRef resolved = mirrors.sync(url, progress, mirror -> resolver.resolve(mirror, ref));
    progress.accept(resolved.describe(ref));

    Path workspace =
        workspaces.checkout(
            mirrors.mirrorDir(url.canonical()),
            resolved.sha(),
            runId,
            url.canonical(),
            laneKey,
            progress);
    progress.accept("Checked out " + resolved.shortSha() + " into " + workspace);
    return new CheckedOut(resolved.sha(), resolved.branch(), workspace);
  }

  /** The policy's verdict, in the exceptions the fetch activity reports. */
  private RepositoryUrl checked(String repo, String ref) throws FetchException {
    try {
      RepositoryUrl url = policy.check(repo);
      policy.checkRef(ref);
      return url;
    } catch (RepositoryRefusedException e) {
      throw switch (e.subject()) {
        case REPO -> new BadRepositoryException("repository not allowed: " + e.reason());
        case REF -> RefNotFoundException.refused(ref, e.reason());
      };
    }
  }

  /** Deletes a workspace made by {@link #fetch}; see {@link Workspaces#remove}. */
  public void remove(Path workspace) throws IOException {
    workspaces.remove(workspace);
  }
}
