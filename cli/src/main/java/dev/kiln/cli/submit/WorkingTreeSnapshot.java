package dev.kiln.cli.submit;

import dev.kiln.cli.CliFailure;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheCheckout;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.dircache.DirCacheIterator;
import org.eclipse.jgit.internal.storage.dfs.DfsRepositoryDescription;
import org.eclipse.jgit.internal.storage.dfs.InMemoryRepository;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.storage.pack.PackConfig;
import org.eclipse.jgit.transport.BundleWriter;
import org.eclipse.jgit.treewalk.FileTreeIterator;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.WorkingTreeIterator;

/**
 * A git working tree as it is — uncommitted changes and untracked files included, ignored files
 * left out — made into one commit and written as a git bundle, without touching the user's
 * repository: its index, refs and object store are only read.
 *
 * <p>How: one walk over the working tree beside the index, with git's ignore rules ({@code
 * .gitignore}, {@code .git/info/exclude}, {@code core.excludesFile}). A path in the working tree is
 * taken when the index tracks it or no rule ignores it (a tracked file stays tracked although a
 * rule matches it, as in git); a tracked file deleted from the working tree is left out, and an
 * ignored directory nobody tracks is not even entered ({@code node_modules}, {@code target}). Each
 * file's content, through the repository's clean filters (line endings), becomes a blob in an
 * in-memory object store of its own; the entries form an in-memory index whose tree, and a commit
 * of it, go to the same store, which the bundle is written from. File modes are what git would
 * record: executable bit (or the index's mode where {@code core.fileMode} is false), symbolic links
 * as links, nested repositories as gitlinks (the worker does not fetch submodules).
 *
 * <p>The commit has no parent: a parent would oblige the bundle to carry the whole history the
 * server does not have, so that an upload would grow with the repository's age instead of with its
 * working tree. Its message names the HEAD it was made on.
 */
public final class WorkingTreeSnapshot {

  /** The ref the bundle carries the snapshot under. */
  public static final String REF = "refs/heads/kiln-submission";

  /**
   * A snapshot written.
   *
   * @param sha the snapshot commit's id, which the run builds and the worker checks
   * @param root the working tree's top directory
   * @param files how many files (and links) it holds
   */
  public record Snapshot(String sha, Path root, int files) {}

  private WorkingTreeSnapshot() {}

  /**
   * Snapshots the working tree that holds {@code dir} (its top, whatever subdirectory {@code dir}
   * is) and writes it to {@code bundle} as a git bundle.
   *
   * @throws CliFailure {@code dir} is not inside a git working tree
   */
  public static Snapshot write(Path dir, OutputStream bundle) throws IOException {
    try (Repository user = open(dir);
        InMemoryRepository store = new InMemoryRepository(new DfsRepositoryDescription("kiln"))) {
      Snapshot snapshot = snapshot(user, store);
      BundleWriter writer = new BundleWriter(store);
      writer.setPackConfig(packConfig());
      writer.include(REF, ObjectId.fromString(snapshot.sha()));
      writer.writeBundle(NullProgressMonitor.INSTANCE, bundle);
      return snapshot;
    }
  }

  /**
   * Snapshots the working tree that holds {@code dir}, as {@link #write} does, into a new git
   * repository in {@code workspace} (an empty directory), and checks the snapshot out there: the
   * working tree a build host's workspace of the same submission holds ({@code kiln run --local}).
   *
   * @throws CliFailure {@code dir} is not inside a git working tree
   */
  public static Snapshot checkOut(Path dir, Path workspace) throws IOException {
    try (Repository user = open(dir);
        Repository target =
            new FileRepositoryBuilder()
                .setGitDir(workspace.resolve(Constants.DOT_GIT).toFile())
                .setWorkTree(workspace.toFile())
                .build()) {
      target.create();
      Snapshot snapshot = snapshot(user, target);
      ObjectId commit = ObjectId.fromString(snapshot.sha());
      RefUpdate branch = target.updateRef(REF);
      branch.setNewObjectId(commit);
      branch.forceUpdate();
      target.updateRef(Constants.HEAD).link(REF);
      try (RevWalk walk = new RevWalk(target)) {
        DirCacheCheckout checkout =
            new DirCacheCheckout(target, target.lockDirCache(), walk.parseCommit(commit).getTree());
        checkout.setFailOnConflict(true);
        checkout.checkout();
      }
      return snapshot;
    }
  }

  /** The snapshot commit of {@code user}'s working tree, its objects written to {@code store}. */
  private static Snapshot snapshot(Repository user, Repository store) throws IOException {
    DirCache index = DirCache.newInCore();
    try (ObjectInserter inserter = store.newObjectInserter()) {
      int files = fill(user, index, inserter);
      ObjectId tree = index.writeTree(inserter);
      ObjectId commit = inserter.insert(commit(user, tree));
      inserter.flush();
      return new Snapshot(commit.name(), user.getWorkTree().toPath(), files);
    }
  }

  /**
   * The objects are written as they were inserted: no search for deltas between them, which costs
   * about as much as the snapshot itself for thousands of small files and saves little in an upload
   * of one tree.
   */
  private static PackConfig packConfig() {
    PackConfig config = new PackConfig();
    config.setDeltaCompress(false);
    return config;
  }

  private static Repository open(Path dir) throws IOException {
    Path absolute = dir.toAbsolutePath().normalize();
    if (!Files.isDirectory(absolute)) {
      throw new CliFailure(dir + " is not a directory");
    }
    FileRepositoryBuilder builder = new FileRepositoryBuilder().findGitDir(absolute.toFile());
    if (builder.getGitDir() == null) {
      throw new CliFailure(
          absolute
              + " is not in a git working tree: kiln uploads a working tree with its"
              + " .gitignore rules (git init there first)");
    }
    Repository repo = builder.setMustExist(true).build();
    if (repo.isBare()) {
      repo.close();
      throw new CliFailure(absolute + " is a bare repository: it has no working tree to upload");
    }
    return repo;
  }

  /** Walks the working tree beside the index; returns how many entries went into {@code index}. */
  private static int fill(Repository user, DirCache index, ObjectInserter inserter)
      throws IOException {
    DirCacheBuilder entries = index.builder();
    int count = 0;
    try (TreeWalk walk = new TreeWalk(user)) {
      int tracked = walk.addTree(new DirCacheIterator(user.readDirCache()));
      int work = walk.addTree(new FileTreeIterator(user));
      walk.setRecursive(false);
      while (walk.next()) {
        WorkingTreeIterator file = walk.getTree(work, WorkingTreeIterator.class);
        DirCacheIterator known = walk.getTree(tracked, DirCacheIterator.class);
        if (file == null || (known == null && file.isEntryIgnored())) {
          continue; // deleted from the working tree, or ignored and untracked
        }
        if (walk.isSubtree()) {
          walk.enterSubtree();
          continue;
        }
        FileMode mode = known == null ? file.getEntryFileMode() : file.getIndexFileMode(known);
        DirCacheEntry entry = new DirCacheEntry(walk.getRawPath());
        entry.setFileMode(mode);
        entry.setObjectId(
            mode == FileMode.GITLINK ? file.getEntryObjectId() : blob(file, inserter));
        entries.add(entry);
        count++;
      }
    }
    entries.finish();
    return count;
  }

  /** The entry's content as git would store it (clean filters, a link's target). */
  private static ObjectId blob(WorkingTreeIterator file, ObjectInserter inserter)
      throws IOException {
    long length = file.getEntryContentLength();
    try (InputStream content = file.openEntryStream()) {
      return inserter.insert(Constants.OBJ_BLOB, length, content);
    }
  }

  private static CommitBuilder commit(Repository user, ObjectId tree) throws IOException {
    ObjectId head = user.resolve(Constants.HEAD);
    String branch = user.getBranch();
    PersonIdent who = new PersonIdent(user);
    CommitBuilder commit = new CommitBuilder();
    commit.setTreeId(tree);
    commit.setAuthor(who);
    commit.setCommitter(who);
    commit.setMessage(
        "kiln: the working tree of "
            + user.getWorkTree().getName()
            + " as it was, uncommitted changes included\n\n"
            + (head == null
                ? "made before the repository's first commit\n"
                : "on " + branch + " at " + head.name() + "\n"));
    return commit;
  }
}
