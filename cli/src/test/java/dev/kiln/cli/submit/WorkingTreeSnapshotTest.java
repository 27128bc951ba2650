package dev.kiln.cli.submit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.cli.CliFailure;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.FetchConnection;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.TransportBundleStream;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real git repositories made in the test; each snapshot is read back by fetching its bundle into a
 * fresh repository, as the worker does.
 */
class WorkingTreeSnapshotTest {

  @TempDir Path temp;
  Path work;
  Git git;

  @BeforeEach
  void aRepositoryWithOneCommit() throws Exception {
    work = Files.createDirectories(temp.resolve("app"));
    git = Git.init().setDirectory(work.toFile()).setInitialBranch("main").call();
    write(".gitignore", "*.log\nbuild/\n");
    write("tracked.txt", "committed\n");
    write("gone.txt", "committed, then deleted\n");
    write("src/main.c", "int main(void) { return 0; }\n");
    git.add().addFilepattern(".").call();
    git.commit().setMessage("first").setSign(false).call();
  }

  @Test
  void takesUncommittedChangesAndUntrackedFilesAndLeavesIgnoredAndDeletedOnesOut()
      throws Exception {
    write("tracked.txt", "changed, not committed\n");
    write("untracked.txt", "new\n");
    write("src/new.h", "#define NEW 1\n");
    write("debug.log", "ignored by *.log\n");
    write("build/out.o", "ignored with its directory\n");
    Files.delete(work.resolve("gone.txt"));

    Map<String, String> tree = snapshotTree(work);

    assertThat(tree)
        .containsOnlyKeys(".gitignore", "tracked.txt", "untracked.txt", "src/main.c", "src/new.h");
    assertThat(tree.get("tracked.txt")).isEqualTo("changed, not committed\n");
    assertThat(tree.get("untracked.txt")).isEqualTo("new\n");
  }

  @Test
  void aCheckOutHoldsTheSameTreeAsTheBundleAndTheSnapshotCommitAsHead() throws Exception {
    write("tracked.txt", "changed, not committed\n");
    write("untracked.txt", "new\n");
    write("debug.log", "ignored by *.log\n");
    write("build/out.o", "ignored with its directory\n");
    Files.delete(work.resolve("gone.txt"));
    Files.setPosixFilePermissions(
        work.resolve("src/main.c"), PosixFilePermissions.fromString("rwxr-xr-x"));
    Path workspace = Files.createDirectories(temp.resolve("workspace"));

    WorkingTreeSnapshot.Snapshot snapshot = WorkingTreeSnapshot.checkOut(work, workspace);

    Map<String, String> files = new LinkedHashMap<>();
    try (var paths = Files.walk(workspace)) {
      for (Path file : paths.filter(Files::isRegularFile).toList()) {
        String name = workspace.relativize(file).toString();
        if (!name.startsWith(".git/")) {
          files.put(name, Files.readString(file));
        }
      }
    }
    assertThat(files).isEqualTo(snapshotTree(work));
    assertThat(Files.isExecutable(workspace.resolve("src/main.c"))).isTrue();
    assertThat(snapshot.files()).isEqualTo(files.size());
    try (Git checkedOut = Git.open(workspace.toFile())) {
      assertThat(checkedOut.getRepository().resolve(Constants.HEAD).name())
          .isEqualTo(snapshot.sha());
      assertThat(checkedOut.status().call().isClean()).isTrue();
    }
    assertThat(work.resolve("debug.log")).exists();
    assertThat(git.status().call().getAdded()).as("the user's index is only read").isEmpty();
    assertThat(git.status().call().getUntracked()).contains("untracked.txt");
  }

  @Test
  void aTrackedFileStaysInAlthoughARuleIgnoresIt() throws Exception {
    write("kept.txt", "tracked before the rule\n");
    git.add().addFilepattern("kept.txt").call();
    git.commit().setMessage("kept").setSign(false).call();
    write(".gitignore", "*.log\nbuild/\nkept.txt\n");

    assertThat(snapshotTree(work)).containsEntry("kept.txt", "tracked before the rule\n");
  }

  @Test
  void keepsTheExecutableBitAndSymbolicLinksAsLinks() throws Exception {
    write("run.sh", "#!/bin/sh\necho hi\n");
    Files.setPosixFilePermissions(
        work.resolve("run.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.createSymbolicLink(work.resolve("link.txt"), Path.of("tracked.txt"));

    Snapshotted snapshot = snapshot(work);

    assertThat(snapshot.modes()).containsEntry("run.sh", FileMode.EXECUTABLE_FILE);
    assertThat(snapshot.modes()).containsEntry("tracked.txt", FileMode.REGULAR_FILE);
    assertThat(snapshot.modes()).containsEntry("link.txt", FileMode.SYMLINK);
    assertThat(snapshot.contents()).containsEntry("link.txt", "tracked.txt");
  }

  @Test
  void fromASubdirectoryTakesTheWholeWorkingTree() throws Exception {
    assertThat(snapshotTree(work.resolve("src"))).containsKeys("tracked.txt", "src/main.c");
  }

  @Test
  void leavesTheUsersIndexRefsAndObjectsAsTheyWere() throws Exception {
    write("tracked.txt", "changed\n");
    write("untracked.txt", "new\n");
    Path dotGit = work.resolve(".git");
    byte[] index = Files.readAllBytes(dotGit.resolve("index"));
    ObjectId head = git.getRepository().resolve(Constants.HEAD);
    String refs = git.getRepository().getRefDatabase().getRefs().toString();
    long objects;
    try (var files = Files.walk(dotGit.resolve("objects"))) {
      objects = files.count();
    }

    snapshot(work);

    assertThat(Files.readAllBytes(dotGit.resolve("index"))).isEqualTo(index);
    assertThat(git.getRepository().resolve(Constants.HEAD)).isEqualTo(head);
    assertThat(git.getRepository().getRefDatabase().getRefs()).hasToString(refs);
    try (var files = Files.walk(dotGit.resolve("objects"))) {
      assertThat(files.count()).isEqualTo(objects);
    }
  }

  @Test
  void theCommitHasNoParentAndNamesTheHeadItWasMadeOn() throws Exception {
    Snapshotted snapshot = snapshot(work);
    String head = git.getRepository().resolve(Constants.HEAD).name();

    assertThat(snapshot.commit().getParentCount()).isZero();
    assertThat(snapshot.commit().getFullMessage()).contains("on main at " + head);
    assertThat(snapshot.commit().name()).isEqualTo(snapshot.sha());
  }

  @Test
  void aDirectoryOutsideAnyWorkingTreeIsRefusedInOneLine() throws Exception {
    Path plain = Files.createDirectories(temp.resolve("plain"));
    // a parent of the test's temp directory could be in a working tree: only judge a clear case
    org.junit.jupiter.api.Assumptions.assumeTrue(
        new org.eclipse.jgit.storage.file.FileRepositoryBuilder()
                .findGitDir(plain.toFile())
                .getGitDir()
            == null);

    assertThatThrownBy(() -> WorkingTreeSnapshot.write(plain, new ByteArrayOutputStream()))
        .isInstanceOf(CliFailure.class)
        .hasMessageContaining("is not in a git working tree");
  }

  private record Snapshotted(
      String sha, RevCommit commit, Map<String, String> contents, Map<String, FileMode> modes) {}

  private Map<String, String> snapshotTree(Path dir) throws Exception {
    return snapshot(dir).contents();
  }

  /** Writes the bundle, then fetches it into a fresh repository and reads its one commit. */
  private Snapshotted snapshot(Path dir) throws Exception {
    ByteArrayOutputStream bundle = new ByteArrayOutputStream();
    WorkingTreeSnapshot.Snapshot written = WorkingTreeSnapshot.write(dir, bundle);
    try (Git target =
        Git.init()
            .setBare(true)
            .setDirectory(temp.resolve("read-" + System.nanoTime()).toFile())
            .call()) {
      Repository repo = target.getRepository();
      try (TransportBundleStream transport =
              new TransportBundleStream(
                  repo, new URIish("bundle"), new ByteArrayInputStream(bundle.toByteArray()));
          FetchConnection ignored = transport.openFetch()) {
        // the advertised ref is the snapshot
        assertThat(ignored.getRef(WorkingTreeSnapshot.REF).getObjectId().name())
            .isEqualTo(written.sha());
      }
      try (TransportBundleStream transport =
          new TransportBundleStream(
              repo, new URIish("bundle"), new ByteArrayInputStream(bundle.toByteArray()))) {
        transport.fetch(
            org.eclipse.jgit.lib.NullProgressMonitor.INSTANCE,
            java.util.List.of(
                new RefSpec(WorkingTreeSnapshot.REF + ":" + WorkingTreeSnapshot.REF)));
      }
      try (RevWalk walk = new RevWalk(repo);
          TreeWalk tree = new TreeWalk(repo)) {
        RevCommit commit = walk.parseCommit(ObjectId.fromString(written.sha()));
        tree.addTree(commit.getTree());
        tree.setRecursive(true);
        Map<String, String> contents = new LinkedHashMap<>();
        Map<String, FileMode> modes = new LinkedHashMap<>();
        while (tree.next()) {
          contents.put(
              tree.getPathString(),
              new String(repo.open(tree.getObjectId(0)).getBytes(), StandardCharsets.UTF_8));
          modes.put(tree.getPathString(), tree.getFileMode(0));
        }
        return new Snapshotted(written.sha(), commit, contents, modes);
      }
    }
  }

  private void write(String path, String content) throws IOException {
    Path file = work.resolve(path);
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
  }
}
