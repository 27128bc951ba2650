package dev.kiln.activities.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheCheckout;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.CoreConfig.EolStreamType;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * Brings a working tree that an earlier build of the same lane used to exactly what a fresh
 * checkout of a commit gives, writing only what differs: files the build wrote, ignored or not, go;
 * tracked files it changed, replaced or re-permissioned are written again; files the new commit
 * changed are written; the rest stays. Nothing in the old tree is trusted: a file is kept only if
 * its content is the commit's blob (hashed, or known from its {@link TreeStamps} when its status
 * shows nothing touched it since) and its kind and executable bit match, and the {@code .git}
 * directory is made anew by the caller. Every tracked file ends with the same modification time, as
 * after a checkout, so no build tool sees a tracked file as newer than another.
 */
final class WorkingTreeSync {

  private final Repository repo;
  private final Path root;
  private final Set<PosixFilePermission> fileMode;
  private final Set<PosixFilePermission> executableMode;
  private final Set<PosixFilePermission> directoryMode;

  /**
   * @param repo the workspace's repository, its {@code .git} new, its index empty
   * @param fresh the permissions a fresh checkout gives files and directories (the umask's)
   */
  WorkingTreeSync(Repository repo, FreshModes fresh) {
    this.repo = repo;
    this.root = repo.getWorkTree().toPath();
    this.fileMode = fresh.file();
    this.executableMode = fresh.executable();
    this.directoryMode = fresh.directory();
  }

  /** The permissions files, executables and directories get when JGit writes them here. */
  record FreshModes(
      Set<PosixFilePermission> file,
      Set<PosixFilePermission> executable,
      Set<PosixFilePermission> directory) {

    /** Read off a file and a directory made the way a checkout makes them. */
    static FreshModes probe(Path scratchParent) throws IOException {
      Path dir = Files.createTempDirectory(scratchParent, ".mode-probe");
      try {
        Path probeDir = dir.resolve("d");
        probeDir.toFile().mkdir(); // as JGit does: the umask applies, unlike createDirectory's
        Path file = dir.resolve("f");
        new java.io.FileOutputStream(file.toFile()).close();
        Set<PosixFilePermission> file0 = Files.getPosixFilePermissions(file);
        Set<PosixFilePermission> executable = new HashSet<>(file0);
        // JGit's setExecute grants execute wherever read is granted
        if (file0.contains(PosixFilePermission.OWNER_READ)) {
          executable.add(PosixFilePermission.OWNER_EXECUTE);
        }
        if (file0.contains(PosixFilePermission.GROUP_READ)) {
          executable.add(PosixFilePermission.GROUP_EXECUTE);
        }
        if (file0.contains(PosixFilePermission.OTHERS_READ)) {
          executable.add(PosixFilePermission.OTHERS_EXECUTE);
        }
        return new FreshModes(file0, executable, Files.getPosixFilePermissions(probeDir));
      } finally {
        FileTrees.deleteRecursively(dir);
      }
    }
  }

  /**
   * What the sync did, for the run's log, and the tree it left.
   *
   * @param unread how many of the kept files were known by their stamps, not read
   */
  record Outcome(int kept, int unread, int written, int removed, SettledTree settled) {
    String describe() {
      String outcome = kept + " files kept, " + written + " written, " + removed + " removed";
      return unread == 0
          ? outcome
          : outcome + " (" + unread + " of the kept unchanged since the lane's last build)";
    }
  }

  /**
   * Makes the working tree {@code commit}'s and the index match it.
   *
   * @param stamps what the lane's last build left untouched, by the status of each file
   */
  Outcome to(RevCommit commit, TreeStamps stamps) throws IOException {
    Map<String, Tracked> wanted = trackedFiles(commit);
    Set<String> wantedDirs = parentDirectories(wanted.keySet());
    List<DirCacheEntry> kept = new ArrayList<>();
    Map<String, SettledTree.Verified> placed = new HashMap<>();
    int[] removed = {0};
    int[] unread = {0};
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes)
              throws IOException {
            if (dir.equals(root)) {
              return FileVisitResult.CONTINUE;
            }
            String path = relative(dir);
            if (path.equals(Constants.DOT_GIT) || !wantedDirs.contains(path)) {
              if (!path.equals(Constants.DOT_GIT)) {
                FileTrees.deleteRecursively(dir);
                removed[0]++;
              }
              return FileVisitResult.SKIP_SUBTREE;
            }
            Files.setPosixFilePermissions(dir, directoryMode);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attributes)
              throws IOException {
            String path = relative(file);
            Tracked tracked = wanted.get(path);
            // a converted file is written again: its content is not the blob's
            Match match =
                tracked == null || tracked.converted()
                    ? Match.NO
                    : matches(file, path, attributes, tracked, stamps);
            if (match.same()) {
              kept.add(tracked.entry(path));
              if (match.inode() >= 0) {
                placed.put(path, new SettledTree.Verified(tracked.blob(), match.inode()));
              }
              unread[0] += match.unread() ? 1 : 0;
            } else {
              Files.delete(file);
              removed[0]++;
            }
            return FileVisitResult.CONTINUE;
          }
        });
    writeIndex(kept);
    DirCacheCheckout checkout = new DirCacheCheckout(repo, repo.lockDirCache(), commit.getTree());
    checkout.setFailOnConflict(true);
    checkout.checkout();
    int written = wanted.size() - kept.size();
    Settled settled = settle(wanted);
    return new Outcome(
        kept.size(),
        unread[0],
        written,
        removed[0],
        new SettledTree(
            placed,
            parentDirectories(placed.keySet()),
            settled.at(),
            settled.wallAheadOfMonotonic()));
  }

  /**
   * Whether a file of the old tree is the tracked one, and how that was known.
   *
   * @param inode a regular file's inode; -1 for a symbolic link
   * @param unread known from its stamp, not read
   */
  private record Match(boolean same, long inode, boolean unread) {
    static final Match NO = new Match(false, -1, false);
    static final Match LINK = new Match(true, -1, false);

    static Match file(long inode, boolean unread) {
      return new Match(true, inode, unread);
    }
  }

  /**
   * A tracked file of the commit: its mode and blob.
   *
   * @param converted whether the checkout writes something else than the blob (end-of-line
   *     conversion or a smudge filter, by {@code .gitattributes} or the git configuration)
   */
  private record Tracked(FileMode mode, ObjectId blob, boolean converted) {
    DirCacheEntry entry(String path) {
      DirCacheEntry entry = new DirCacheEntry(path);
      entry.setFileMode(mode);
      entry.setObjectId(blob);
      return entry;
    }
  }

  private Map<String, Tracked> trackedFiles(RevCommit commit) throws IOException {
    Map<String, Tracked> files = new HashMap<>();
    try (TreeWalk walk = new TreeWalk(repo)) {
      walk.setOperationType(TreeWalk.OperationType.CHECKOUT_OP);
      walk.addTree(commit.getTree());
      walk.setRecursive(true);
      while (walk.next()) {
        FileMode mode = walk.getFileMode(0);
        if (mode != FileMode.GITLINK) {
          // a submodule's directory is left to the checkout, which makes it empty
          boolean converted = mode != FileMode.SYMLINK && convertedOnCheckout(walk);
          files.put(walk.getPathString(), new Tracked(mode, walk.getObjectId(0), converted));
        }
      }
    }
    return files;
  }

  /** Whether the checkout writes the walk's file other than as its blob. */
  private static boolean convertedOnCheckout(TreeWalk walk) throws IOException {
    EolStreamType eol = walk.getCheckoutEolStreamType(0);
    return (eol != null && eol != EolStreamType.DIRECT) || walk.getSmudgeCommand(0) != null;
  }

  /** Every directory above {@code paths}, the root aside. */
  static Set<String> parentDirectories(Set<String> paths) {
    Set<String> dirs = new HashSet<>();
    for (String path : paths) {
      for (int slash = path.indexOf('/'); slash > 0; slash = path.indexOf('/', slash + 1)) {
        dirs.add(path.substring(0, slash));
      }
    }
    return dirs;
  }

  /** Whether the file is the tracked one: same kind, executable bit and blob. */
  private Match matches(
      Path file, String path, BasicFileAttributes attributes, Tracked tracked, TreeStamps stamps)
      throws IOException {
    if (tracked.mode() == FileMode.SYMLINK) {
      boolean same =
          attributes.isSymbolicLink()
              && blobOf(
                      Files.readSymbolicLink(file)
                          .toString()
                          .getBytes(java.nio.charset.StandardCharsets.UTF_8))
                  .equals(tracked.blob());
      return same ? Match.LINK : Match.NO;
    }
    if (!attributes.isRegularFile()) {
      return Match.NO;
    }
    Map<String, Object> status =
        Files.readAttributes(file, "unix:mode,ino,ctime", LinkOption.NOFOLLOW_LINKS);
    boolean executable = tracked.mode() == FileMode.EXECUTABLE_FILE;
    if (permissionBits((Integer) status.get("mode"))
        != permissionBits(executable ? executableMode : fileMode)) {
      return Match.NO;
    }
    long inode = (Long) status.get("ino");
    Optional<ObjectId> stamped =
        stamps.unchangedBlob(
            path, inode, attributes.size(), SettledTree.nanos((FileTime) status.get("ctime")));
    if (stamped.isPresent()) {
      return stamped.get().equals(tracked.blob()) ? Match.file(inode, true) : Match.NO;
    }
    try (ObjectInserter.Formatter hasher = new ObjectInserter.Formatter();
        InputStream in = Files.newInputStream(file)) {
      boolean same = hasher.idFor(Constants.OBJ_BLOB, attributes.size(), in).equals(tracked.blob());
      return same ? Match.file(inode, false) : Match.NO;
    }
  }

  /** A file's permission bits as {@code stat} gives them: set-id and sticky bits included. */
  private static int permissionBits(int mode) {
    return mode & 07777;
  }

  private static int permissionBits(Set<PosixFilePermission> permissions) {
    // the enum lists owner, group, others, each read, write, execute: 0400 down to 0001
    int bits = 0;
    for (PosixFilePermission permission : permissions) {
      bits |= 0400 >> permission.ordinal();
    }
    return bits;
  }

  private static ObjectId blobOf(byte[] content) {
    try (ObjectInserter.Formatter hasher = new ObjectInserter.Formatter()) {
      return hasher.idFor(Constants.OBJ_BLOB, content);
    }
  }

  /** An index of the kept files, so the checkout writes only the others. */
  private void writeIndex(List<DirCacheEntry> kept) throws IOException {
    DirCache index = repo.lockDirCache();
    try {
      DirCacheBuilder builder = index.builder();
      for (DirCacheEntry entry : kept) {
        Path file = root.resolve(entry.getPathString());
        BasicFileAttributes attributes =
            Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        entry.setLength(attributes.size());
        entry.setLastModified(attributes.lastModifiedTime().toInstant());
        builder.add(entry);
      }
      builder.finish();
      index.write();
      index.commit();
    } finally {
      index.unlock();
    }
  }

  /**
   * Gives every tracked file one modification time, then writes the index again with it, so that
   * the files read as clean: kept and written files alike look as if checked out together.
   *
   * @return when the last file was touched
   */
  private Settled settle(Map<String, Tracked> wanted) throws IOException {
    FileTime now = FileTime.from(Instant.now());
    for (Map.Entry<String, Tracked> file : wanted.entrySet()) {
      Path path = root.resolve(file.getKey());
      if (file.getValue().mode() != FileMode.SYMLINK) {
        Files.setLastModifiedTime(path, now);
      }
    }
    Settled settled = new Settled(Instant.now(), SettledTree.wallAheadOfMonotonic());
    DirCache index = repo.lockDirCache();
    try {
      for (int i = 0; i < index.getEntryCount(); i++) {
        DirCacheEntry entry = index.getEntry(i);
        if (entry.getFileMode() != FileMode.SYMLINK && entry.getFileMode() != FileMode.GITLINK) {
          entry.setLastModified(now.toInstant());
        }
      }
      index.write();
      index.commit();
    } finally {
      index.unlock();
    }
    return settled;
  }

  /** When the files were settled, by the wall clock and against the monotonic one. */
  private record Settled(Instant at, long wallAheadOfMonotonic) {}

  /** A path as git writes it: relative to the root, with forward slashes. */
  private String relative(Path path) {
    return relative(root, path);
  }

  static String relative(Path root, Path path) {
    return root.relativize(path).toString().replace(java.io.File.separatorChar, '/');
  }
}
