package dev.kiln.activities.fetch;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import org.eclipse.jgit.transport.SshSessionFactory;

/**
 * Gets a run's source onto this host: validates the repository URL, updates the host's mirror,
 * resolves the ref and checks the commit out into a fresh workspace. The fetch activity is a thin
 * adapter over {@link #fetch}.
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

  private final MirrorCache mirrors;
  private final RefResolver resolver;
  private final Workspaces workspaces;
  private final boolean allowFileUrls;

  /**
   * @param kilnHome mirrors go to {@code work/mirrors}, workspaces to {@code work/runs}
   * @param allowFileUrls accept {@code file://} repositories; only for the single-machine dev stack
   */
  public GitFetcher(Path kilnHome, boolean allowFileUrls) {
    this(kilnHome, new Workspaces(kilnHome), allowFileUrls);
  }

  /** With the host's {@link Workspaces}, which remembers the lanes of the workspaces it made. */
  public GitFetcher(Path kilnHome, Workspaces workspaces, boolean allowFileUrls) {
    this(
        new MirrorCache(kilnHome, DEFAULT_IO_TIMEOUT),
        new RefResolver(),
        workspaces,
        allowFileUrls);
  }

  public GitFetcher(
      MirrorCache mirrors, RefResolver resolver, Workspaces workspaces, boolean allowFileUrls) {
    this.mirrors = mirrors;
    this.resolver = resolver;
    this.workspaces = workspaces;
    this.allowFileUrls = allowFileUrls;
  }

  /**
   * Fetches {@code repo} and checks out {@code ref} for run {@code runId}.
   *
   * @param ref branch, tag, {@code refs/...} name, full or short sha; {@code null} for the
   *     repository's default branch
   * @param progress receives progress lines for the run log ("Resolved main → 9f1c2ab")
   * @throws RefNotFoundException the ref does not exist (not retryable)
   * @throws AmbiguousRefException a short sha matches several commits (not retryable)
   * @throws BadRepositoryException the URL is not allowed, or no repository is there (not
   *     retryable)
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
    RepositoryUrls.Validation validation = RepositoryUrls.validate(repo, allowFileUrls);
    if (!validation.ok()) {
      throw new BadRepositoryException("repository not allowed: " + validation.reason());
    }
    requireTransport(validation.transport());
    String refShown = ref == null || ref.isBlank() ? "the default branch" : ref;
    progress.accept("Fetching " + RepositoryUrls.redact(repo) + " at " + refShown);

    ResolvedRef resolved = mirrors.sync(repo, progress, mirror -> resolver.resolve(mirror, ref));
    progress.accept(resolved.describe(ref));

    Path workspace =
        workspaces.checkout(
            mirrors.mirrorDir(repo),
            resolved.sha(),
            runId,
            RepositoryUrls.withoutCredentials(repo),
            laneKey,
            progress);
    progress.accept("Checked out " + resolved.shortSha() + " into " + workspace);
    return new CheckedOut(resolved.sha(), resolved.branch(), workspace);
  }

  /** Deletes a workspace made by {@link #fetch}; see {@link Workspaces#remove}. */
  public void remove(Path workspace) throws IOException {
    workspaces.remove(workspace);
  }

  /**
   * JGit's core has no SSH client; it comes from a separate artifact found through the service
   * loader. Without one, JGit fails with "remote hung up unexpectedly", which reads like a network
   * fault and would be retried forever.
   */
  private static void requireTransport(RepositoryUrls.Transport transport)
      throws BadRepositoryException {
    if (transport == RepositoryUrls.Transport.SSH && SshSessionFactory.getInstance() == null) {
      throw new BadRepositoryException(
          "ssh repositories are not supported by this worker (no SSH client for JGit); use https");
    }
  }
}
