package dev.kiln.activities.fetch;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheCheckout;
import org.eclipse.jgit.lib.BatchRefUpdate;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.ReceiveCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Run workspaces under {@code <kilnHome>/work/runs/<runId>-<n>}: a git working tree with a detached
 * HEAD at the run's commit.
 *
 * <p>A workspace borrows the mirror's objects through {@code objects/info/alternates} (what {@code
 * git clone --shared} does) instead of copying them, so checking out a large repository costs its
 * working tree, not its history. It still gets the mirror's branches (as {@code origin/*}) and
 * tags, so builds that run {@code git describe} or {@code git log origin/main..} work.
 *
 * <p>The price of sharing: a mirror found corrupt and re-cloned ({@link MirrorCache}) takes the git
 * history of workspaces still using it with it. Their files stay, so only a build that runs git
 * commands at that moment notices; that trade is worth not copying every repository per run.
 *
 * <p>Each call takes a new directory ({@code n} counts up): a retried fetch never reuses a
 * directory a previous attempt may have dirtied, or that a process of it may still be writing.
 */
public final class Workspaces {

  private static final Logger log = LoggerFactory.getLogger(Workspaces.class);
  private static final int MAX_ATTEMPT_DIRS = 10_000;
  private static final Pattern WORKSPACE_NAME = Pattern.compile("(\\d{1,18})-\\d+");

  private final Path runsRoot;
  private final WarmWorkspaces warm;
  private WorkingTreeSync.FreshModes freshModes;

  /**
   * @param kilnHome the worker's home; workspaces live under {@code work/runs}
   */
  public Workspaces(Path kilnHome) {
    this(kilnHome, 0);
  }

  /**
   * @param warmCapacity how many finished runs' workspaces are kept for their lanes' next builds
   *     (one per lane); 0 keeps none
   */
  public Workspaces(Path kilnHome, int warmCapacity) {
    this.runsRoot = kilnHome.resolve("work").resolve("runs").toAbsolutePath().normalize();
    this.warm = new WarmWorkspaces(kilnHome, warmCapacity);
  }

  /** The run a workspace directory ({@code <runId>-<n>}) was made for; empty for another name. */
  public static OptionalLong runIdOf(Path workspace) {
    Matcher name = WORKSPACE_NAME.matcher(workspace.getFileName().toString());
    return name.matches() ? OptionalLong.of(Long.parseLong(name.group(1))) : OptionalLong.empty();
  }

  /** The directory holding every workspace on this host. */
  public Path runsRoot() {
    return runsRoot;
  }

  /**
   * Creates a fresh workspace for {@code runId} and checks out {@code sha} from the mirror.
   *
   * @param mirrorDir the bare mirror holding {@code sha}
   * @param originUrl recorded as the workspace's {@code origin}; must carry no credentials, since
   *     the build (untrusted code) can read it
   * @return the workspace directory
   * @throws IOException the checkout failed; nothing is left behind
   */
  public Path checkout(
      Path mirrorDir, String sha, long runId, String originUrl, Consumer<String> progress)
      throws IOException {
    return checkout(mirrorDir, sha, runId, originUrl, null, progress);
  }

  /**
   * As {@link #checkout(Path, String, long, String, Consumer)}, starting from the workspace the
   * lane's previous build on this host left ({@link WarmWorkspaces}) when there is one: only what
   * differs from a fresh checkout is written.
   *
   * @param laneKey the lane's key ({@link #laneKey}); {@code null} for a workspace of its own
   */
  public Path checkout(
      Path mirrorDir,
      String sha,
      long runId,
      String originUrl,
      String laneKey,
      Consumer<String> progress)
      throws IOException {
    Path workspace = allocate(runId);
    try {
      Optional<TreeStamps> kept =
          laneKey == null ? Optional.empty() : warm.takeInto(laneKey, workspace);
      if (kept.isPresent()) {
        // the build may have changed anything under .git: it is made anew
        FileTrees.deleteRecursively(workspace.resolve(Constants.DOT_GIT));
      }
      SettledTree settled = null;
      try (Repository mirror = MirrorHealth.open(mirrorDir)) {
        initShared(workspace, mirror);
        try (Repository repo = openWorkspace(workspace)) {
          copyRefs(mirror, repo);
          setOrigin(repo, originUrl);
          if (kept.isPresent()) {
            settled = syncDetached(repo, ObjectId.fromString(sha), kept.get(), progress);
          } else {
            checkoutDetached(repo, ObjectId.fromString(sha), progress);
          }
        }
      }
      if (settled != null && !warm.stampable(settled)) {
        settled = null;
      }
      if (laneKey != null) {
        warm.inUse(workspace, laneKey, settled);
      }
      log.info("Checked out {} into {}{}", sha, workspace, kept.isPresent() ? " (warm)" : "");
      return workspace;
    } catch (IOException | RuntimeException e) {
      remove(workspace);
      throw e;
    }
  }

  /** Puts a workspace's objects in place: what {@link #checkoutFilled} checks out from. */
  @FunctionalInterface
  public interface ObjectsSource {
    /**
     * @param repo the new workspace's repository, with an object store of its own
     */
    void fill(Repository repo) throws IOException;
  }

  /**
   * Creates a fresh workspace for {@code runId} whose repository gets its objects from {@code
   * source} (a local submission's bundle) instead of borrowing a mirror's, and checks out {@code
   * sha} with a detached HEAD. The workspace is never kept for a lane.
   *
   * @throws IOException {@code source} failed, or the checkout did; nothing is left behind
   */
  public Path checkoutFilled(
      long runId, String sha, ObjectsSource source, Consumer<String> progress) throws IOException {
    Path workspace = allocate(runId);
    try {
      try (Repository repo = openWorkspace(workspace)) {
        repo.create(false);
      }
      try (Repository repo = openWorkspace(workspace)) {
        source.fill(repo);
        checkoutDetached(repo, ObjectId.fromString(sha), progress);
      }
      log.info("Checked out {} into {} from its own objects", sha, workspace);
      return workspace;
    } catch (IOException | RuntimeException e) {
      remove(workspace);
      throw e;
    }
  }

  /** The key under which a lane's workspace is kept between its builds on this host. */
  public static String laneKey(String repo, String ref, String arch) {
    return WarmWorkspaces.laneKey(repo, ref, arch);
  }

  /**
   * A run is done with its workspace: kept for its lane's next build when it has a lane, removed
   * otherwise. Like {@link #remove}, safe to call again.
   */
  public void release(Path workspace) throws IOException {
    Path target = checkedWorkspace(workspace);
    if (!warm.keep(target)) {
      remove(target);
    }
  }

  private Path allocate(long runId) throws IOException {
    Files.createDirectories(runsRoot);
    for (int attempt = 1; attempt <= MAX_ATTEMPT_DIRS; attempt++) {
      Path candidate = runsRoot.resolve(runId + "-" + attempt);
      try {
        // createDirectory is atomic, so two attempts racing on one host cannot share a directory.
        return Files.createDirectory(candidate);
      } catch (FileAlreadyExistsException taken) {
        // A previous attempt's directory: leave it to that attempt's cleanup.
      }
    }
    throw new IOException("run " + runId + " already has " + MAX_ATTEMPT_DIRS + " workspaces");
  }

  private static void initShared(Path workspace, Repository mirror) throws IOException {
    try (Repository repo = openWorkspace(workspace)) {
      repo.create(false);
    }
    // Written before the repository is opened again, so JGit reads the alternates from the start.
    Path objects = mirror.getDirectory().toPath().resolve("objects").toAbsolutePath();
    Path alternates = workspace.resolve(".git/objects/info/alternates");
    Files.createDirectories(alternates.getParent());
    Files.writeString(alternates, objects + "\n");
  }

  private static Repository openWorkspace(Path workspace) throws IOException {
    return new FileRepositoryBuilder()
        .setWorkTree(workspace.toFile())
        .setGitDir(workspace.resolve(".git").toFile())
        .build();
  }

  private static void copyRefs(Repository mirror, Repository repo) throws IOException {
    BatchRefUpdate batch = repo.getRefDatabase().newBatchUpdate();
    batch.setAllowNonFastForwards(true);
    batch.disableRefLog();
    for (Ref ref : mirror.getRefDatabase().getRefsByPrefix(Constants.R_HEADS)) {
      String name = Constants.R_REMOTES + "origin/" + Repository.shortenRefName(ref.getName());
      add(batch, ref, name);
    }
    for (Ref ref : mirror.getRefDatabase().getRefsByPrefix(Constants.R_TAGS)) {
      add(batch, ref, ref.getName());
    }
    try (RevWalk walk = new RevWalk(repo)) {
      batch.execute(walk, NullProgressMonitor.INSTANCE);
    }
    for (ReceiveCommand command : batch.getCommands()) {
      if (command.getResult() != ReceiveCommand.Result.OK) {
        throw new IOException(
            "could not copy "
                + command.getRefName()
                + " into the workspace: "
                + command.getResult());
      }
    }
  }

  private static void add(BatchRefUpdate batch, Ref ref, String name) {
    if (ref.getObjectId() != null) {
      batch.addCommand(new ReceiveCommand(ObjectId.zeroId(), ref.getObjectId(), name));
    }
  }

  private static void setOrigin(Repository repo, String originUrl) throws IOException {
    StoredConfig config = repo.getConfig();
    config.setString("remote", "origin", "url", originUrl);
    config.setString("remote", "origin", "fetch", "+refs/heads/*:refs/remotes/origin/*");
    config.save();
  }

  private static void checkoutDetached(Repository repo, ObjectId sha, Consumer<String> progress)
      throws IOException {
    RevCommit commit;
    try (RevWalk walk = new RevWalk(repo)) {
      commit = walk.parseCommit(sha);
    }
    DirCache index = repo.lockDirCache();
    DirCacheCheckout checkout = new DirCacheCheckout(repo, index, commit.getTree());
    checkout.setFailOnConflict(true);
    checkout.checkout();

    detachHead(repo, commit);
    reportSubmodules(repo, progress);
  }

  private static void detachHead(Repository repo, RevCommit commit) throws IOException {
    RefUpdate head = repo.updateRef(Constants.HEAD, true);
    head.setNewObjectId(commit);
    head.disableRefLog();
    RefUpdate.Result result = head.forceUpdate();
    if (result != RefUpdate.Result.NEW && result != RefUpdate.Result.FORCED) {
      throw new IOException("could not detach HEAD at " + commit.name() + ": " + result);
    }
  }

  /**
   * Submodules are not fetched: their URLs come from the repository and would need the same
   * validation and mirroring as the top-level one. Their directories are left empty; say so, since
   * a build that needs them fails later with a less obvious error.
   */
  private Path checkedWorkspace(Path workspace) {
    Path target = workspace.toAbsolutePath().normalize();
    if (!target.startsWith(runsRoot)
        || target.getParent() == null
        || !target.getParent().equals(runsRoot)) {
      throw new IllegalArgumentException("not a workspace under " + runsRoot + ": " + workspace);
    }
    return target;
  }

  /** Brings a kept workspace to {@code sha}, writing only what differs from a fresh checkout. */
  private SettledTree syncDetached(
      Repository repo, ObjectId sha, TreeStamps stamps, Consumer<String> progress)
      throws IOException {
    RevCommit commit;
    try (RevWalk walk = new RevWalk(repo)) {
      commit = walk.parseCommit(sha);
    }
    WorkingTreeSync.Outcome outcome = new WorkingTreeSync(repo, freshModes()).to(commit, stamps);
    detachHead(repo, commit);
    progress.accept("Reused the lane's workspace: " + outcome.describe());
    reportSubmodules(repo, progress);
    return outcome.settled();
  }

  private synchronized WorkingTreeSync.FreshModes freshModes() throws IOException {
    if (freshModes == null) {
      Files.createDirectories(runsRoot);
      freshModes = WorkingTreeSync.FreshModes.probe(runsRoot.getParent());
    }
    return freshModes;
  }

  private static void reportSubmodules(Repository repo, Consumer<String> progress)
      throws IOException {
    DirCache index = DirCache.read(repo);
    List<String> submodules = new ArrayList<>();
    for (int i = 0; i < index.getEntryCount(); i++) {
      if (index.getEntry(i).getFileMode() == FileMode.GITLINK) {
        submodules.add(index.getEntry(i).getPathString());
      }
    }
    if (!submodules.isEmpty()) {
      progress.accept(
          "Submodules are not checked out (Kiln does not fetch them): "
              + String.join(", ", submodules));
    }
  }

  /**
   * Deletes a workspace, robustly: read-only files and directories are deleted too, symbolic links
   * are deleted without following them out of the workspace. Removing a workspace that is already
   * gone does nothing, so cleanup can be retried.
   *
   * @throws IllegalArgumentException {@code workspace} is not a directory under {@link #runsRoot()}
   *     (the path arrives from workflow data; refusing protects the rest of the disk)
   */
  public void remove(Path workspace) throws IOException {
    Path target = checkedWorkspace(workspace);
    warm.forget(target);
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      FileTrees.deleteRecursively(target);
      log.info("Removed workspace {}", target);
    }
  }
}
