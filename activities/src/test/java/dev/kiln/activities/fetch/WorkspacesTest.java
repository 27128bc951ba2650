package dev.kiln.activities.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkspacesTest {

  @TempDir Path tmp;

  private final List<String> lines = new ArrayList<>();
  private OriginRepo origin;
  private RevCommit head;
  private Path mirrorDir;
  private Workspaces workspaces;

  @BeforeEach
  void setUp() throws Exception {
    origin = OriginRepo.create(tmp.resolve("origin"));
    RevCommit first = origin.commit("README.md", "hello\n");
    origin.annotatedTag("v1.0", first);
    origin.branch("feature/x");
    head = origin.commit("src/main.c", "int main(void) { return 0; }\n");
    workspaces = new Workspaces(tmp.resolve("home"));
    MirrorCache mirrors = new MirrorCache(tmp.resolve("home"), Duration.ofSeconds(20));
    mirrors.sync(TestPolicies.url(origin.url()), line -> {}, mirror -> null);
    mirrorDir = mirrors.mirrorDir(origin.url());
  }

  @AfterEach
  void tearDown() {
    origin.close();
  }

  @Test
  void everyCheckoutOfARunGetsAFreshNumberedDirectory() throws Exception {
    Path first = checkout(42);
    Files.writeString(first.resolve("dirt.o"), "left by attempt 1");

    Path second = checkout(42);

    assertThat(first).isEqualTo(tmp.resolve("home/work/runs/42-1"));
    assertThat(second).isEqualTo(tmp.resolve("home/work/runs/42-2"));
    assertThat(second.resolve("dirt.o")).doesNotExist();
    assertThat(second.resolve("README.md")).hasContent("hello");
  }

  @Test
  void checksOutTheCommitOnADetachedHeadWithTheOriginsBranchesAndTags() throws Exception {
    Path workspace = checkout(7);

    assertThat(workspace.resolve("src/main.c")).hasContent("int main(void) { return 0; }");
    try (Repository repo = open(workspace)) {
      Ref headRef = repo.exactRef(Constants.HEAD);
      assertThat(headRef.isSymbolic()).isFalse();
      assertThat(headRef.getObjectId()).isEqualTo(head);
      assertThat(repo.exactRef("refs/remotes/origin/main").getObjectId()).isEqualTo(head);
      assertThat(repo.exactRef("refs/remotes/origin/feature/x")).isNotNull();
      assertThat(repo.exactRef("refs/tags/v1.0")).isNotNull();
      assertThat(repo.getRefDatabase().getRefsByPrefix(Constants.R_HEADS)).isEmpty();
      assertThat(repo.getConfig().getString("remote", "origin", "url"))
          .isEqualTo("https://example.invalid/acme/app.git");
    }
  }

  @Test
  void theWorkspaceBorrowsTheMirrorsObjectsInsteadOfCopyingThem() throws Exception {
    Path workspace = checkout(7);

    assertThat(workspace.resolve(".git/objects/info/alternates"))
        .hasContent(mirrorDir.resolve("objects").toAbsolutePath().toString());
    try (var packs = Files.list(workspace.resolve(".git/objects/pack"))) {
      assertThat(packs).isEmpty();
    }
  }

  @Test
  void gitItselfSeesACleanWorkTreeAtTheCommit() throws Exception {
    assumeTrue(gitOnPath(), "needs the git command line");
    Path workspace = checkout(7);

    assertThat(git(workspace, "status", "--porcelain")).isEmpty();
    assertThat(git(workspace, "rev-parse", "HEAD")).isEqualTo(head.name());
    assertThat(git(workspace, "describe", "--tags", "--always")).startsWith("v1.0-1-g");
  }

  @Test
  void keepsExecutableBitsAndSymbolicLinks() throws Exception {
    Path script = origin.dir().resolve("build.sh");
    Files.writeString(script, "#!/bin/sh\necho hi\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.createSymbolicLink(origin.dir().resolve("link"), Path.of("README.md"));
    origin.git().add().addFilepattern("build.sh").addFilepattern("link").call();
    RevCommit commit = origin.git().commit().setMessage("script").setSign(false).call();
    resync();

    Path workspace = workspaces.checkout(mirrorDir, commit.name(), 8, "x", lines::add);

    assertThat(Files.isExecutable(workspace.resolve("build.sh"))).isTrue();
    assertThat(Files.isSymbolicLink(workspace.resolve("link"))).isTrue();
    assertThat(Files.readSymbolicLink(workspace.resolve("link"))).isEqualTo(Path.of("README.md"));
  }

  @Test
  void submodulesAreLeftEmptyAndReportedInsteadOfBreakingTheCheckout() throws Exception {
    try (OriginRepo library = OriginRepo.withCommit(tmp.resolve("library"))) {
      origin.git().submoduleAdd().setURI(library.url()).setPath("lib").call().close();
      RevCommit commit = origin.git().commit().setMessage("add lib").setSign(false).call();
      resync();

      Path workspace = workspaces.checkout(mirrorDir, commit.name(), 9, "x", lines::add);

      assertThat(workspace.resolve(".gitmodules")).exists();
      assertThat(workspace.resolve("lib")).isEmptyDirectory();
      assertThat(lines)
          .containsExactly("Submodules are not checked out (Kiln does not fetch them): lib");
    }
  }

  @Test
  void aFailedCheckoutLeavesNoDirectoryBehind() {
    String unknown = "0123456789abcdef0123456789abcdef01234567";

    assertThatThrownBy(() -> workspaces.checkout(mirrorDir, unknown, 5, "x", lines::add))
        .isInstanceOf(IOException.class);
    assertThat(tmp.resolve("home/work/runs/5-1")).doesNotExist();
  }

  @Test
  void removeDeletesReadOnlyFilesAndDirectories() throws Exception {
    Path workspace = checkout(11);
    Path locked = workspace.resolve("go/pkg/mod/example.com/lib@v1");
    Files.createDirectories(locked);
    Files.writeString(locked.resolve("lib.go"), "package lib\n");
    Files.setPosixFilePermissions(
        locked.resolve("lib.go"), PosixFilePermissions.fromString("r--r--r--"));
    Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("r-xr-xr-x"));
    Files.setPosixFilePermissions(locked.getParent(), PosixFilePermissions.fromString("---------"));

    workspaces.remove(workspace);

    assertThat(workspace).doesNotExist();
  }

  @Test
  void removeDeletesSymbolicLinksWithoutFollowingThemOutOfTheWorkspace() throws Exception {
    Path outside = Files.createDirectories(tmp.resolve("precious"));
    Files.writeString(outside.resolve("data.txt"), "keep me");
    Path workspace = checkout(12);
    Files.createSymbolicLink(workspace.resolve("escape"), outside);
    Files.createSymbolicLink(workspace.resolve("escape-file"), outside.resolve("data.txt"));
    Files.createSymbolicLink(workspace.resolve("dangling"), tmp.resolve("nowhere"));

    workspaces.remove(workspace);

    assertThat(workspace).doesNotExist();
    assertThat(outside.resolve("data.txt")).hasContent("keep me");
  }

  @Test
  void removeIsIdempotent() throws Exception {
    Path workspace = checkout(13);

    workspaces.remove(workspace);
    workspaces.remove(workspace);
    workspaces.remove(workspaces.runsRoot().resolve("999-1"));

    assertThat(workspace).doesNotExist();
  }

  @Test
  void removeRefusesAnythingButAWorkspaceDirectory() throws Exception {
    Path root = workspaces.runsRoot();
    Path workspace = checkout(14);

    for (Path notAWorkspace :
        List.of(
            root,
            root.getParent(),
            tmp.resolve("origin"),
            root.resolve("14-1/../../mirrors"),
            workspace.resolve("src"))) {
      assertThatThrownBy(() -> workspaces.remove(notAWorkspace))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("not a workspace under " + root);
    }
    assertThat(workspace.resolve("src/main.c")).exists();
    assertThat(tmp.resolve("origin/README.md")).exists();
  }

  private Path checkout(long runId) throws IOException {
    return workspaces.checkout(
        mirrorDir, head.name(), runId, "https://example.invalid/acme/app.git", lines::add);
  }

  private void resync() throws Exception {
    new MirrorCache(tmp.resolve("home"), Duration.ofSeconds(20))
        .sync(TestPolicies.url(origin.url()), line -> {}, mirror -> null);
  }

  private static Repository open(Path workspace) throws IOException {
    return new FileRepositoryBuilder()
        .setWorkTree(workspace.toFile())
        .setGitDir(workspace.resolve(".git").toFile())
        .setMustExist(true)
        .build();
  }

  private static boolean gitOnPath() {
    try {
      return new ProcessBuilder("git", "--version").start().waitFor() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private static String git(Path dir, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("git", "-C", dir.toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(out).isZero();
    return out.strip();
  }
}
