package dev.kiln.activities.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.workflows.culprit.CommitInfo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jgit.api.MergeCommand;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommitHistoryTest {

  @TempDir Path tmp;

  OriginRepo origin;
  CommitHistory history;

  @BeforeEach
  void setUp() throws Exception {
    origin = OriginRepo.create(tmp.resolve("origin"));
    history =
        new CommitHistory(
            TestPolicies.localAndLoopback(),
            new MirrorCache(tmp.resolve("home"), Duration.ofSeconds(20)));
  }

  @AfterEach
  void tearDown() {
    origin.close();
  }

  @Test
  void listsTheCommitsAfterTheGoodOneUpToTheBadOneOldestFirstWithAuthorAndSubject()
      throws Exception {
    List<RevCommit> commits = new ArrayList<>();
    for (int n = 1; n <= 16; n++) {
      commits.add(origin.commit("n.txt", n + "\n"));
    }

    List<CommitInfo> listed =
        history.firstParentCommits(origin.url(), commits.get(0).name(), commits.get(15).name());

    assertThat(listed).hasSize(15);
    assertThat(listed.get(0))
        .isEqualTo(
            new CommitInfo(commits.get(1).name(), "Kiln Test <test@kiln.invalid>", "change n.txt"));
    assertThat(listed.get(14).sha()).isEqualTo(commits.get(15).name());
  }

  @Test
  void aMergedBranchContributesOnlyItsMergeCommit() throws Exception {
    RevCommit good = origin.commit("a.txt", "1\n");
    origin.branch("topic");
    origin.checkout("topic");
    RevCommit onTopic = origin.commit("b.txt", "topic\n");
    origin.checkout("main");
    RevCommit onMain = origin.commit("a.txt", "2\n");
    origin
        .git()
        .merge()
        .include(onTopic)
        .setFastForward(MergeCommand.FastForwardMode.NO_FF)
        .setMessage("merge topic")
        .call();
    String merge = origin.repository().resolve("HEAD").name();

    List<CommitInfo> listed = history.firstParentCommits(origin.url(), good.name(), merge);

    assertThat(listed).extracting(CommitInfo::sha).containsExactly(onMain.name(), merge);
  }

  @Test
  void aGoodCommitOffTheBadOnesPathIsNotAnAncestor() throws Exception {
    RevCommit base = origin.commit("a.txt", "1\n");
    origin.branch("other");
    RevCommit bad = origin.commit("a.txt", "2\n");
    origin.checkout("other");
    RevCommit elsewhere = origin.commit("c.txt", "x\n");

    assertThat(base).isNotNull();
    assertThatThrownBy(() -> history.firstParentCommits(origin.url(), elsewhere.name(), bad.name()))
        .isInstanceOf(CommitHistory.NotAncestorException.class)
        .hasMessageStartingWith(
            elsewhere.name() + " is not a first-parent ancestor of " + bad.name());
  }

  @Test
  void aCommitTheRepositoryDoesNotHaveIsNotFound() throws Exception {
    RevCommit tip = origin.commit("a.txt", "1\n");
    String unknown = "0123456789abcdef0123456789abcdef01234567";

    assertThatThrownBy(() -> history.firstParentCommits(origin.url(), unknown, tip.name()))
        .isInstanceOf(RefNotFoundException.class)
        .hasMessage("ref not found: " + unknown);
  }

  @Test
  void aRepositoryThePolicyRefusesIsNotRead() {
    CommitHistory strict =
        new CommitHistory(
            dev.kiln.workflows.repo.RepositoryPolicy.of(false, List.of()),
            new MirrorCache(tmp.resolve("home"), Duration.ofSeconds(20)));

    assertThatThrownBy(() -> strict.firstParentCommits(origin.url(), "a", "b"))
        .isInstanceOf(BadRepositoryException.class)
        .hasMessageStartingWith("repository not allowed");
  }
}
