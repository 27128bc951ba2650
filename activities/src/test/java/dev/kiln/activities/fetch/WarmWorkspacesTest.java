package dev.kiln.activities.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A lane's next build starts from the workspace its previous build left, and gets exactly the tree
 * a fresh checkout gives: whatever the build wrote, ignored or not, whatever it changed, and
 * whatever the new commit changed.
 */
class WarmWorkspacesTest {

  private static final PersonIdent AUTHOR = new PersonIdent("Kiln Test", "test@kiln.invalid");

  @TempDir Path tmp;

  private final List<String> lines = new ArrayList<>();
  private Git origin;
  private Path originDir;
  private Path mirrorDir;
  private MirrorCache mirrors;
  private Workspaces workspaces;
  private RevCommit before;
  private RevCommit after;

  @BeforeEach
  void setUp() throws Exception {
    originDir = tmp.resolve("origin");
    origin = Git.init().setDirectory(originDir.toFile()).setInitialBranch("main").call();
    write("README.md", "hello\n");
    write(".gitignore", "*.o\nbuild/\n");
    write("src/main.c", "int main(void) { return 0; }\n");
    write("scripts/build.sh", "#!/bin/sh\nmake\n");
    executable("scripts/build.sh", true);
    write("docs/old.txt", "old\n");
    write("conf", "a file that becomes a directory\n");
    write("lib/x.c", "int x;\n");
    Files.createSymbolicLink(originDir.resolve("link"), Path.of("README.md"));
    before = commitAll("before");

    write("src/main.c", "int main(void) { return 1; }\n");
    Files.delete(originDir.resolve("docs/old.txt"));
    write("docs/new.txt", "new\n");
    executable("scripts/build.sh", false);
    Files.delete(originDir.resolve("conf"));
    write("conf/app.ini", "now a directory\n");
    Files.delete(originDir.resolve("lib/x.c"));
    Files.delete(originDir.resolve("lib"));
    write("lib", "a directory that becomes a file\n");
    Files.delete(originDir.resolve("link"));
    Files.createSymbolicLink(originDir.resolve("link"), Path.of("src/main.c"));
    after = commitAll("after");

    Path home = tmp.resolve("home");
    workspaces = new Workspaces(home, 2);
    mirrors = new MirrorCache(home, Duration.ofSeconds(20));
    mirrors.sync(TestPolicies.url(url()), line -> {}, mirror -> null);
    mirrorDir = mirrors.mirrorDir(url());
  }

  @AfterEach
  void tearDown() {
    origin.close();
  }

  @Test
  void aWarmCheckoutAfterABuildIsExactlyAFreshCheckout() throws Exception {
    String lane = Workspaces.laneKey(url(), "main", "x86_64");
    Path first = workspaces.checkout(mirrorDir, before.name(), 1, url(), lane, lines::add);
    buildLeavesItsMarks(first);
    workspaces.release(first);
    assertThat(first).doesNotExist();

    Path warm = workspaces.checkout(mirrorDir, after.name(), 2, url(), lane, lines::add);
    Path fresh = workspaces.checkout(mirrorDir, after.name(), 3, url(), lines::add);

    assertThat(lines).anyMatch(l -> l.startsWith("Reused the lane's workspace: "));
    assertThat(tree(warm)).isEqualTo(tree(fresh));
    try (Git git = open(warm)) {
      assertThat(git.status().call().isClean()).as("git status in the warm workspace").isTrue();
      assertThat(git.getRepository().resolve("HEAD")).isEqualTo(after);
      assertThat(git.getRepository().getConfig().getString("remote", "origin", "url"))
          .isEqualTo(url());
    }
  }

  @Test
  void anUnchangedCommitRewritesOnlyWhatTheBuildTouched() throws Exception {
    String lane = Workspaces.laneKey(url(), "main", "x86_64");
    Path first = workspaces.checkout(mirrorDir, after.name(), 1, url(), lane, lines::add);
    Files.writeString(first.resolve("README.md"), "HELLO\n"); // same size, other content
    Files.writeString(first.resolve("main.o"), "object");
    workspaces.release(first);

    Path warm = workspaces.checkout(mirrorDir, after.name(), 2, url(), lane, lines::add);

    assertThat(lines).contains("Reused the lane's workspace: 7 files kept, 1 written, 2 removed");
    assertThat(warm.resolve("README.md")).hasContent("hello");
    assertThat(warm.resolve("main.o")).doesNotExist();
  }

  @Test
  void aSyncReadsOnlyTheFilesTouchedSinceTheLanesLastSync() throws Exception {
    String lane = Workspaces.laneKey(url(), "main", "x86_64");
    Path second = secondBuildOfTheLane(lane, after);
    workspaces.release(second);
    assertThat(stampsOf(lane)).exists();

    Path third = workspaces.checkout(mirrorDir, after.name(), 3, url(), lane, lines::add);

    assertThat(lines)
        .containsSubsequence(
            "Reused the lane's workspace: 8 files kept, 0 written, 0 removed",
            "Reused the lane's workspace: 8 files kept, 0 written, 0 removed"
                + " (7 of the kept unchanged since the lane's last build)");
    assertThat(stampsOf(lane)).as("stamps are for the tree as it was kept").doesNotExist();
    assertThat(third.resolve("README.md")).hasContent("hello");
  }

  @Test
  void aFileChangedBehindItsSizeAndTimeIsStillWrittenAgain() throws Exception {
    String lane = Workspaces.laneKey(url(), "main", "x86_64");
    Path second = secondBuildOfTheLane(lane, before);
    Path readme = second.resolve("README.md");
    FileTime settled = Files.getLastModifiedTime(readme);
    Files.writeString(readme, "HELLO\n"); // same size
    Files.setLastModifiedTime(readme, settled); // and the time it had
    buildLeavesItsMarks(second);
    workspaces.release(second);
    // and one changed the same way while the workspace was kept
    Path ignores = tmp.resolve("home/work/warm/" + lane + "/.gitignore");
    FileTime kept = Files.getLastModifiedTime(ignores);
    Files.writeString(ignores, "*.a\nbuild/\n");
    Files.setLastModifiedTime(ignores, kept);

    Path warm = workspaces.checkout(mirrorDir, before.name(), 3, url(), lane, lines::add);
    Path fresh = workspaces.checkout(mirrorDir, before.name(), 4, url(), lines::add);

    assertThat(lines)
        .contains(
            "Reused the lane's workspace: 4 files kept, 4 written, 8 removed"
                + " (3 of the kept unchanged since the lane's last build)");
    assertThat(tree(warm)).isEqualTo(tree(fresh));
  }

  @Test
  void unreadableStampsOnlyMeanEveryFileIsRead() throws Exception {
    String lane = Workspaces.laneKey(url(), "main", "x86_64");
    Path second = secondBuildOfTheLane(lane, after);
    Files.writeString(second.resolve("README.md"), "HELLO\n");
    workspaces.release(second);
    Files.writeString(stampsOf(lane), "not stamps");

    Path third = workspaces.checkout(mirrorDir, after.name(), 3, url(), lane, lines::add);

    assertThat(lines)
        .last()
        .isEqualTo("Reused the lane's workspace: 7 files kept, 1 written, 1 removed");
    assertThat(third.resolve("README.md")).hasContent("hello");
  }

  @Test
  void stampsFromAnotherWorkerProcessAreNotTrusted() throws Exception {
    String lane = Workspaces.laneKey(url(), "main", "x86_64");
    Path second = secondBuildOfTheLane(lane, after);
    workspaces.release(second);

    Workspaces restarted = new Workspaces(tmp.resolve("home"), 2);
    restarted.checkout(mirrorDir, after.name(), 3, url(), lane, lines::add);

    assertThat(lines)
        .last()
        .isEqualTo("Reused the lane's workspace: 8 files kept, 0 written, 0 removed");
  }

  @Test
  void aFileTheCheckoutConvertsIsNeverTakenForItsBlob() throws Exception {
    write("notes.txt", "one\ntwo\n");
    RevCommit plain = commitAll("plain");
    write(".gitattributes", "*.txt text eol=crlf\n");
    RevCommit converted = commitAll("converted");
    Files.delete(originDir.resolve(".gitattributes"));
    RevCommit plainAgain = commitAll("plain again");
    mirrors.sync(TestPolicies.url(url()), line -> {}, mirror -> null);
    String lane = Workspaces.laneKey(url(), "main", "x86_64");

    // the blob as it is, then converted: kept files are not taken for converted ones
    Path first = workspaces.checkout(mirrorDir, plain.name(), 1, url(), lane, lines::add);
    workspaces.release(first);
    Path second = workspaces.checkout(mirrorDir, converted.name(), 2, url(), lane, lines::add);
    assertThat(second.resolve("notes.txt")).hasContent("one\r\ntwo");
    assertThat(tree(second))
        .isEqualTo(tree(workspaces.checkout(mirrorDir, converted.name(), 3, url(), lines::add)));
    workspaces.release(second);

    // converted, then the blob as it is: a file written converted is never stamped as the blob
    Path third = workspaces.checkout(mirrorDir, converted.name(), 4, url(), lane, lines::add);
    workspaces.release(third);
    Path fourth = workspaces.checkout(mirrorDir, plainAgain.name(), 5, url(), lane, lines::add);
    assertThat(lines).last().asString().contains("unchanged since the lane's last build");
    assertThat(tree(fourth))
        .isEqualTo(tree(workspaces.checkout(mirrorDir, plainAgain.name(), 6, url(), lines::add)));
  }

  @Test
  void anotherLaneNeverStartsFromThisLanesWorkspace() throws Exception {
    Path first =
        workspaces.checkout(
            mirrorDir,
            before.name(),
            1,
            url(),
            Workspaces.laneKey(url(), "main", "x86_64"),
            l -> {});
    Files.writeString(first.resolve("left-by-main.txt"), "x");
    workspaces.release(first);

    Path other =
        workspaces.checkout(
            mirrorDir,
            before.name(),
            2,
            url(),
            Workspaces.laneKey(url(), "feature", "x86_64"),
            lines::add);

    assertThat(lines).noneMatch(l -> l.startsWith("Reused"));
    assertThat(other.resolve("left-by-main.txt")).doesNotExist();
  }

  @Test
  void aWorkspaceWithoutALaneIsRemovedAndTheLeastRecentlyUsedGoPastTheCapacity() throws Exception {
    Path alone = workspaces.checkout(mirrorDir, before.name(), 1, url(), lines::add);
    workspaces.release(alone);
    assertThat(alone).doesNotExist();
    assertThat(kept()).isEmpty();

    for (int i = 0; i < 3; i++) {
      Path workspace =
          workspaces.checkout(mirrorDir, before.name(), 10 + i, url(), "lane-" + i, line -> {});
      workspaces.release(workspace);
    }

    assertThat(kept()).containsExactlyInAnyOrder("lane-1", "lane-2");
  }

  /** The workspace of a lane's second build of {@code commit}: its sync read every file. */
  private Path secondBuildOfTheLane(String lane, RevCommit commit) throws IOException {
    Path first = workspaces.checkout(mirrorDir, commit.name(), 1, url(), lane, lines::add);
    workspaces.release(first);
    return workspaces.checkout(mirrorDir, commit.name(), 2, url(), lane, lines::add);
  }

  /** What a build does to its workspace that a fresh checkout would not have. */
  private static void buildLeavesItsMarks(Path workspace) throws IOException {
    Files.writeString(workspace.resolve("main.o"), "ignored object");
    Files.createDirectories(workspace.resolve("build/deep"));
    Files.writeString(workspace.resolve("build/deep/out.bin"), "ignored output");
    Files.writeString(workspace.resolve("notes.txt"), "untracked");
    Files.createDirectories(workspace.resolve("empty/dir"));
    Files.writeString(workspace.resolve("README.md"), "HELLO\n"); // same size and time as before
    Files.setPosixFilePermissions(
        workspace.resolve("src/main.c"), PosixFilePermissions.fromString("rw-------"));
    Files.setPosixFilePermissions(
        workspace.resolve("docs"), PosixFilePermissions.fromString("r-x------"));
    Files.delete(workspace.resolve("lib/x.c"));
    Files.createSymbolicLink(workspace.resolve("lib/x.c"), Path.of("/etc/passwd"));
    Files.writeString(workspace.resolve(".git/config"), "[core]\n\tworktree = /\n");
    Files.setPosixFilePermissions(
        workspace.resolve("src"), PosixFilePermissions.fromString("r-x------"));
  }

  /** Every path under the workspace but .git: kind, permissions and content or link target. */
  private static Map<String, String> tree(Path workspace) throws IOException {
    Map<String, String> tree = new TreeMap<>();
    try (Stream<Path> paths = Files.walk(workspace)) {
      for (Path path : paths.toList()) {
        String name = workspace.relativize(path).toString();
        if (name.isEmpty() || name.equals(".git") || name.startsWith(".git/")) {
          continue;
        }
        String description;
        if (Files.isSymbolicLink(path)) {
          description = "link -> " + Files.readSymbolicLink(path);
        } else {
          String mode =
              PosixFilePermissions.toString(
                  Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
          description =
              Files.isDirectory(path)
                  ? "dir " + mode
                  : "file " + mode + " " + Files.readString(path);
        }
        tree.put(name, description);
      }
    }
    return tree;
  }

  private List<String> kept() throws IOException {
    Path warm = tmp.resolve("home/work/warm");
    if (!Files.isDirectory(warm)) {
      return List.of();
    }
    try (Stream<Path> dirs = Files.list(warm)) {
      return dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString()).toList();
    }
  }

  private Path stampsOf(String lane) {
    return tmp.resolve("home/work/warm/" + lane + ".stamps");
  }

  private Git open(Path workspace) throws IOException {
    return Git.wrap(
        new FileRepositoryBuilder()
            .setWorkTree(workspace.toFile())
            .setGitDir(workspace.resolve(".git").toFile())
            .build());
  }

  private String url() {
    return originDir.toUri().toString();
  }

  private void write(String path, String content) throws IOException {
    Path file = originDir.resolve(path);
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
  }

  private void executable(String path, boolean executable) throws IOException {
    Files.setPosixFilePermissions(
        originDir.resolve(path),
        PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
  }

  private RevCommit commitAll(String message) throws Exception {
    origin.add().addFilepattern(".").call();
    origin.add().addFilepattern(".").setUpdate(true).call();
    return origin.commit().setMessage(message).setAuthor(AUTHOR).setCommitter(AUTHOR).call();
  }
}
