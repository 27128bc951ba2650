package dev.kiln.activities.fetch;

import dev.kiln.workflows.repo.RepositoryPolicy;
import dev.kiln.workflows.repo.RepositoryUrl;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.eclipse.jgit.api.FetchCommand;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.InvalidRemoteException;
import org.eclipse.jgit.api.errors.JGitInternalException;
import org.eclipse.jgit.api.errors.TransportException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.lib.SubmoduleConfig.FetchRecurseSubmodulesMode;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.FetchResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.TagOpt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One bare mirror per repository per host, under {@code <kilnHome>/work/mirrors/<name>.git}.
 *
 * <p>The first run of a repository clones it; later runs only fetch what changed (all branches and
 * tags, pruning deleted ones), which is what makes a rebuild on a warm host fast. For an unchanged
 * repository that fetch is the server's ref advertisement and nothing else: no object is wanted, so
 * there is no negotiation, no pack and no connectivity check. What used to cost more than the fetch
 * itself was opening the mirror (twice: the health check, then the fetch), which reads its pack
 * index; the mirrors used last stay open between fetches instead ({@link OpenMirrors}).
 *
 * <p>JGit garbage-collects a repository after every fetch when packs pile up (deciding that it need
 * not takes a fraction of a millisecond). Mirrors set {@code gc.autoDetach=false} so that this
 * happens inside the fetch, under the mirror lock, rather than in a background thread racing the
 * next fetch or the rename of a fresh clone. Workspaces borrow the mirror's objects (see {@link
 * Workspaces}); gc only prunes objects unreachable for two weeks, far longer than any build holds
 * on to one.
 */
public final class MirrorCache {

  /** Both patterns force-update: a force-pushed branch or moved tag must win over the mirror. */
  private static final List<RefSpec> MIRROR_REFSPECS =
      List.of(new RefSpec("+refs/heads/*:refs/heads/*"), new RefSpec("+refs/tags/*:refs/tags/*"));

  private static final Logger log = LoggerFactory.getLogger(MirrorCache.class);

  private final Path root;
  private final int ioTimeoutSeconds;
  private final RemoteAccess remotes;

  /**
   * A cache that fetches only {@code file://} repositories: for looking mirrors up, and for local
   * repositories.
   *
   * @param kilnHome the worker's home; mirrors live under {@code work/mirrors}
   * @param ioTimeout how long a network read may stall before the fetch fails (retryably)
   */
  public MirrorCache(Path kilnHome, Duration ioTimeout) {
    this(kilnHome, ioTimeout, RemoteAccess.localOnly());
  }

  /**
   * @param remotes how repositories are reached: the policy-pinned HTTP transport and the host's
   *     repository credentials
   */
  public MirrorCache(Path kilnHome, Duration ioTimeout, RemoteAccess remotes) {
    this.root = kilnHome.resolve("work").resolve("mirrors").toAbsolutePath().normalize();
    this.ioTimeoutSeconds = (int) Math.max(1, ioTimeout.toSeconds());
    this.remotes = remotes;
  }

  /** Work on a mirror done while its lock is held. */
  @FunctionalInterface
  public interface MirrorAction<T> {
    T apply(Repository mirror) throws FetchException, IOException;
  }

  /**
   * Where the mirror of {@code url} lives (whether or not it exists yet).
   *
   * @param url in the repository policy's canonical form
   */
  public Path mirrorDir(String url) {
    return root.resolve(MirrorNames.of(url) + ".git");
  }

  /**
   * Brings the mirror of {@code url} up to date (cloning it on first use, re-cloning it if it is
   * corrupt), then runs {@code action} on it before releasing the lock, so the action sees exactly
   * the refs this fetch wrote and not those of a concurrent one.
   *
   * @param repository a repository URL the repository policy accepted
   * @param progress receives human progress lines for the run log
   * @throws BadRepositoryException the server says there is no repository there, or the host (or
   *     one a redirect leads to) is not allowed
   * @throws RepositoryUnreachableException network, auth or server trouble, or local disk errors
   */
  public <T> T sync(RepositoryUrl repository, Consumer<String> progress, MirrorAction<T> action)
      throws FetchException, IOException {
    String url = repository.canonical();
    Path dir = mirrorDir(url);
    Files.createDirectories(root);
    try (MirrorLock lock = MirrorLock.acquire(dir, progress);
        Repository mirror = openOrClone(repository, dir, progress)) {
      return action.apply(mirror);
    }
  }

  private Repository openOrClone(RepositoryUrl url, Path dir, Consumer<String> progress)
      throws FetchException, IOException {
    String shown = url.canonical();
    if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      Repository mirror = OpenMirrors.reuse(dir);
      String problem = mirror != null ? MirrorHealth.problem(mirror) : MirrorHealth.problem(dir);
      if (problem == null) {
        progress.accept("Updating mirror of " + shown + " (cached)");
        if (mirror == null) {
          mirror = MirrorHealth.open(dir);
        }
        try {
          fetch(mirror, url, progress);
          OpenMirrors.keep(dir, mirror);
          return mirror;
        } catch (LocalFetchFailure e) {
          problem = e.getMessage();
        } catch (FetchException | IOException | RuntimeException e) {
          OpenMirrors.forget(dir);
          mirror.close();
          throw e;
        }
      }
      OpenMirrors.forget(dir);
      if (mirror != null) {
        mirror.close();
      }
      progress.accept("Mirror " + dir.getFileName() + " is corrupt (" + problem + "); re-cloning");
      log.warn("Deleting corrupt mirror {}: {}", dir, problem);
      FileTrees.deleteRecursively(dir);
    }
    progress.accept("Cloning mirror of " + shown + " (first fetch on this host)");
    Repository mirror = cloneInto(url, dir, progress);
    OpenMirrors.keep(dir, mirror);
    return mirror;
  }

  /**
   * Clones beside the final directory and renames it into place, so that a crash mid-clone leaves a
   * stray temporary directory (swept by the next clone) instead of a half-filled mirror.
   */
  private Repository cloneInto(RepositoryUrl url, Path dir, Consumer<String> progress)
      throws FetchException, IOException {
    deleteLeftoverClones(dir);
    Path tmp = dir.resolveSibling(dir.getFileName() + ".tmp-" + UUID.randomUUID());
    try {
      try (Repository fresh = FileRepositoryBuilder.create(tmp.toFile())) {
        fresh.create(true);
        StoredConfig config = fresh.getConfig();
        config.setBoolean("gc", null, "autoDetach", false);
        config.save();
        fetch(fresh, url, progress);
      }
      Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
    } catch (LocalFetchFailure e) {
      throw new RepositoryUnreachableException(
          "could not clone " + url.canonical() + ": " + e.getMessage());
    } finally {
      FileTrees.deleteRecursively(tmp);
    }
    return MirrorHealth.open(dir);
  }

  private static void deleteLeftoverClones(Path dir) throws IOException {
    String glob = dir.getFileName() + ".tmp-*";
    try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(dir.getParent(), glob)) {
      for (Path leftover : leftovers) {
        FileTrees.deleteRecursively(leftover);
      }
    }
  }

  private void fetch(Repository mirror, RepositoryUrl url, Consumer<String> progress)
      throws FetchException, LocalFetchFailure, IOException {
    long started = System.nanoTime();
    FetchResult result;
    try {
      FetchCommand fetch =
          Git.wrap(mirror)
              .fetch()
              .setRemote(url.canonical())
              .setRefSpecs(MIRROR_REFSPECS)
              .setRemoveDeletedRefs(true)
              .setTagOpt(TagOpt.NO_TAGS)
              .setRecurseSubmodules(FetchRecurseSubmodulesMode.NO)
              .setTimeout(ioTimeoutSeconds)
              .setProgressMonitor(new LineProgressMonitor(progress));
      remotes.configure(fetch, url);
      result = fetch.call();
    } catch (InvalidRemoteException e) {
      throw new BadRepositoryException("no git repository at " + url.canonical());
    } catch (RemoteAccess.RefusedTransportException e) {
      throw new BadRepositoryException("repository not allowed: " + e.getMessage());
    } catch (TransportException e) {
      throw FetchFailures.classify(url, e, remotes.credentials());
    } catch (GitAPIException | JGitInternalException e) {
      throw new LocalFetchFailure(describe(e));
    }
    followRemoteHead(mirror, result);
    int updated = result.getTrackingRefUpdates().size();
    progress.accept(
        switch (updated) {
          case 0 -> "Mirror is up to date";
          case 1 -> "Mirror updated: 1 ref";
          default -> "Mirror updated: " + updated + " refs";
        });
    log.info(
        "Fetched {} into {}: {} refs updated in {} ms",
        url.canonical(),
        mirror.getDirectory(),
        updated,
        (System.nanoTime() - started) / 1_000_000);
  }

  /**
   * Points the mirror's HEAD where the server's HEAD points, so "no ref" means the repository's
   * default branch today, not the one it had when this host first cloned it.
   */
  private static void followRemoteHead(Repository mirror, FetchResult result) throws IOException {
    Ref advertised = result.getAdvertisedRef(Constants.HEAD);
    String target =
        advertised != null && advertised.isSymbolic()
            ? advertised.getTarget().getName()
            : guessDefaultBranch(mirror);
    if (target == null || mirror.exactRef(target) == null) {
      return;
    }
    Ref head = mirror.exactRef(Constants.HEAD);
    if (head != null && head.isSymbolic() && head.getTarget().getName().equals(target)) {
      return;
    }
    RefUpdate update = mirror.updateRef(Constants.HEAD);
    update.disableRefLog();
    RefUpdate.Result linked = update.link(target);
    if (linked != RefUpdate.Result.NEW
        && linked != RefUpdate.Result.FORCED
        && linked != RefUpdate.Result.NO_CHANGE) {
      throw new IOException("could not point the mirror's HEAD at " + target + ": " + linked);
    }
  }

  /**
   * Dumb HTTP and very old servers do not say which branch HEAD is: keep the current default if it
   * still exists, else take main, master or the only branch there is.
   */
  private static String guessDefaultBranch(Repository mirror) throws IOException {
    Ref head = mirror.exactRef(Constants.HEAD);
    if (head != null && head.isSymbolic() && mirror.exactRef(head.getTarget().getName()) != null) {
      return head.getTarget().getName();
    }
    for (String candidate : List.of("main", "master")) {
      if (mirror.exactRef(Constants.R_HEADS + candidate) != null) {
        return Constants.R_HEADS + candidate;
      }
    }
    List<Ref> branches = mirror.getRefDatabase().getRefsByPrefix(Constants.R_HEADS);
    return branches.size() == 1 ? branches.get(0).getName() : null;
  }

  /**
   * JGit's message plus the root cause ("connection failed" says less than "Connection refused").
   */
  private static String describe(Exception e) {
    String message = e.getMessage();
    String root = rootMessage(e);
    if (message == null) {
      message = root;
    } else if (root != null && !message.contains(root)) {
      message = message + " (" + root + ")";
    }
    return RepositoryPolicy.redact(message);
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return RepositoryPolicy.redact(
        root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName());
  }

  /** A fetch that failed on this host's side (unreadable objects, disk), not the server's. */
  private static final class LocalFetchFailure extends Exception {
    LocalFetchFailure(String message) {
      super(message);
    }
  }
}
