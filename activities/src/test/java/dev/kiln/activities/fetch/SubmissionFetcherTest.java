package dev.kiln.activities.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.transport.BundleWriter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bundles of real commits made in the test, unpacked into real workspaces. */
class SubmissionFetcherTest {

  @TempDir Path temp;
  Workspaces workspaces;
  Git origin;
  RevCommit first;
  RevCommit second;

  @BeforeEach
  void twoCommits() throws Exception {
    workspaces = new Workspaces(temp.resolve("home"));
    Path work = Files.createDirectories(temp.resolve("origin"));
    origin = Git.init().setDirectory(work.toFile()).setInitialBranch("main").call();
    Files.writeString(work.resolve("kiln.yaml"), "compile:\n  - run: ./build.sh\n");
    Files.writeString(work.resolve("build.sh"), "#!/bin/sh\necho built\n");
    work.resolve("build.sh").toFile().setExecutable(true);
    origin.add().addFilepattern(".").call();
    first = origin.commit().setMessage("first").setSign(false).call();
    Files.writeString(work.resolve("kiln.yaml"), "compile:\n  - run: echo second\n");
    origin.add().addFilepattern(".").call();
    second = origin.commit().setMessage("second").setSign(false).call();
  }

  private byte[] bundleOf(RevCommit commit) throws Exception {
    BundleWriter writer = new BundleWriter(origin.getRepository());
    writer.include("refs/heads/kiln-submission", commit);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    writer.writeBundle(NullProgressMonitor.INSTANCE, bytes);
    return bytes.toByteArray();
  }

  private SubmissionFetcher fetcherOf(byte[] bundle) {
    return new SubmissionFetcher(runId -> new ByteArrayInputStream(bundle), workspaces);
  }

  @Test
  void checksOutTheToldCommitOfTheUploadWithItsExecutableBit() throws Exception {
    List<String> progress = new ArrayList<>();

    GitFetcher.CheckedOut checkedOut =
        fetcherOf(bundleOf(second)).fetch(7, second.name(), progress::add);

    Path workspace = checkedOut.workspace();
    assertThat(checkedOut.sha()).isEqualTo(second.name());
    assertThat(checkedOut.branch()).isNull();
    assertThat(workspace.getFileName().toString()).startsWith("7-");
    assertThat(Files.readString(workspace.resolve("kiln.yaml"))).contains("echo second");
    assertThat(Files.isExecutable(workspace.resolve("build.sh"))).isTrue();
    try (Git checked = Git.open(workspace.toFile())) {
      assertThat(checked.getRepository().resolve(Constants.HEAD).name()).isEqualTo(second.name());
      assertThat(checked.status().call().isClean()).isTrue();
    }
    assertThat(progress)
        .anyMatch(line -> line.startsWith("Checked out " + second.name().substring(0, 7)));
  }

  @Test
  void anUploadWithoutTheToldCommitFailsTheRunAndLeavesNoWorkspace() throws Exception {
    byte[] ofFirst = bundleOf(first);

    assertThatThrownBy(() -> fetcherOf(ofFirst).fetch(8, second.name(), line -> {}))
        .isInstanceOf(BadRepositoryException.class)
        .hasMessageContaining("does not hold commit " + second.name());
    assertThat(workspaces.runsRoot()).isEmptyDirectory();
  }

  @Test
  void anUploadThatIsNoBundleFailsTheRunNotRetryably() throws Exception {
    byte[] garbage = "# v2 git bundle\nnot really\n".getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> fetcherOf(garbage).fetch(9, second.name(), line -> {}))
        .isInstanceOfSatisfying(
            BadRepositoryException.class, e -> assertThat(e.retryable()).isFalse())
        .hasMessageContaining("not a readable git bundle");
    assertThat(workspaces.runsRoot()).isEmptyDirectory();
  }

  @Test
  void aRefThatIsNoFullShaIsRefusedBeforeAnythingIsFetched() {
    SubmissionFetcher fetcher =
        new SubmissionFetcher(
            runId -> {
              throw new AssertionError("nothing may be fetched");
            },
            workspaces);

    assertThatThrownBy(() -> fetcher.fetch(10, "main", line -> {}))
        .isInstanceOf(BadRepositoryException.class);
  }
}
