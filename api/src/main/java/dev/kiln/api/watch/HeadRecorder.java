package dev.kiln.api.watch;

import dev.kiln.api.rebuild.Lanes;
import dev.kiln.api.repos.RegisteredRepo;
import dev.kiln.api.repos.RepoStore;
import dev.kiln.api.runs.NewRun;
import dev.kiln.api.runs.RunRepository;
import dev.kiln.workflows.internal.InternalBodies.Head;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Decides which heads to build and records their runs and the heads in one transaction, under the
 * repository's row lock: a head is recorded as started exactly when its runs are, so neither a
 * crash nor a concurrent poll can build it twice or lose it.
 */
@Component
class HeadRecorder {

  /** A run recorded as queued, to be handed to Temporal once the transaction committed. */
  record RecordedRun(long runId, NewRun run) {}

  /** A moved head and its runs, one per architecture. */
  record RecordedHead(Head head, List<RecordedRun> runs) {
    List<Long> runIds() {
      return runs.stream().map(RecordedRun::runId).toList();
    }
  }

  /**
   * @param repo empty when the repository is not registered (any more)
   */
  record Recorded(Optional<RegisteredRepo> repo, List<RecordedHead> heads) {}

  private final BranchHeads branchHeads;
  private final RepoStore repos;
  private final RunRepository runs;

  HeadRecorder(BranchHeads branchHeads, RepoStore repos, RunRepository runs) {
    this.branchHeads = branchHeads;
    this.repos = repos;
    this.runs = runs;
  }

  /**
   * Records a run per architecture for each of {@code heads} that moved ({@link MovedBranches}).
   *
   * @param url the URL the heads were listed from: nothing is recorded when the registration's URL
   *     is another by now
   */
  @Transactional
  Recorded recordMoved(long repoId, String url, List<Head> heads, String triggeredBy) {
    if (!branchHeads.lockRepository(repoId)) {
      return new Recorded(Optional.empty(), List.of());
    }
    RegisteredRepo repo = repos.find(repoId).orElseThrow();
    if (url != null && !url.equals(repo.url())) {
      return new Recorded(Optional.of(repo), List.of());
    }
    List<Head> moved =
        MovedBranches.of(heads, repo.branches(), branchHeads.lastStartedShas(repoId));
    List<RecordedHead> recorded = new ArrayList<>();
    for (Head head : moved) {
      List<RecordedRun> headRuns = new ArrayList<>();
      for (String arch : repo.archs()) {
        NewRun run = newRun(repo, head, arch);
        headRuns.add(new RecordedRun(runs.insert(run, triggeredBy).orElseThrow(), run));
      }
      RecordedHead entry = new RecordedHead(head, headRuns);
      branchHeads.record(repoId, head.branch(), head.sha(), entry.runIds(), triggeredBy);
      recorded.add(entry);
    }
    return new Recorded(Optional.of(repo), recorded);
  }

  /** A build of a branch at a commit, in the branch's lane, under the branch's policy. */
  private static NewRun newRun(RegisteredRepo repo, Head head, String arch) {
    return new NewRun(
        repo.url(),
        head.sha(),
        arch,
        Lanes.of(repo.url(), head.branch(), arch),
        null,
        repo.defaultPriority(),
        true,
        null,
        List.of(),
        null,
        head.branch(),
        repo.policyFor(head.branch()));
  }
}
