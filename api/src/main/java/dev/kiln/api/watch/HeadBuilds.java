package dev.kiln.api.watch;

import dev.kiln.api.rebuild.RebuildAccepted;
import dev.kiln.api.rebuild.RebuildService;
import dev.kiln.api.repos.RegisteredRepo;
import dev.kiln.api.web.ApiException;
import dev.kiln.api.web.LogSafe;
import dev.kiln.workflows.internal.InternalBodies.Head;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * Builds the heads of a registered repository's branches, once each: the watcher's polls and forge
 * pushes both come through here, so a commit one of them started is not started again by the other.
 * The runs and the heads are recorded in one transaction ({@link HeadRecorder}), then handed to
 * Temporal; a head whose runs could not start is forgotten, so the next poll or redelivery tries it
 * again.
 */
@Service
public class HeadBuilds {

  private static final Logger log = LoggerFactory.getLogger(HeadBuilds.class);

  /** The runs started for one branch's head. */
  public record StartedHead(String branch, String sha, List<RebuildAccepted> runs) {}

  /**
   * @param note why nothing was started, when that is not simply that nothing moved
   */
  public record Outcome(List<StartedHead> started, String note) {}

  private final HeadRecorder recorder;
  private final BranchHeads branchHeads;
  private final RebuildService rebuilds;

  HeadBuilds(HeadRecorder recorder, BranchHeads branchHeads, RebuildService rebuilds) {
    this.recorder = recorder;
    this.branchHeads = branchHeads;
    this.rebuilds = rebuilds;
  }

  /**
   * A poll's heads: builds each watched branch that moved.
   *
   * @param url the URL the heads were listed from
   * @throws ApiException 503 when Temporal did not take a run (after starting the others)
   */
  public Outcome buildMoved(long repoId, String url, List<Head> heads, String triggeredBy) {
    HeadRecorder.Recorded recorded = recorder.recordMoved(repoId, url, heads, triggeredBy);
    if (recorded.repo().isEmpty()) {
      return new Outcome(List.of(), "repository " + repoId + " is not registered");
    }
    if (!recorded.repo().get().url().equals(url)) {
      return new Outcome(
          List.of(),
          "repository "
              + repoId
              + " is registered with another URL now; the next poll lists that one");
    }
    return new Outcome(start(repoId, recorded.heads()), null);
  }

  /**
   * A forge's push of {@code branch} at {@code sha}: built unless Kiln started a build of that very
   * commit for the branch last (a poll saw it first).
   */
  public Outcome buildPush(RegisteredRepo repo, String branch, String sha, String triggeredBy) {
    HeadRecorder.Recorded recorded =
        recorder.recordMoved(repo.id(), null, List.of(new Head(branch, sha)), triggeredBy);
    if (recorded.repo().isEmpty()) {
      throw ApiException.notFound("repository " + repo.id() + " is not registered");
    }
    if (recorded.heads().isEmpty()) {
      List<Long> runIds =
          branchHeads
              .lastStarted(repo.id(), branch)
              .map(BranchHeads.LastStarted::runIds)
              .orElse(List.of());
      return new Outcome(
          List.of(),
          "branch "
              + LogSafe.escape(branch)
              + " at "
              + sha
              + " was built already (runs "
              + runIds
              + ")");
    }
    return new Outcome(start(repo.id(), recorded.heads()), null);
  }

  private List<StartedHead> start(long repoId, List<HeadRecorder.RecordedHead> heads) {
    List<StartedHead> started = new ArrayList<>();
    ApiException failure = null;
    for (HeadRecorder.RecordedHead head : heads) {
      List<RebuildAccepted> accepted = new ArrayList<>();
      boolean allStarted = true;
      for (HeadRecorder.RecordedRun run : head.runs()) {
        try {
          accepted.add(rebuilds.startRecorded(run.runId(), run.run()));
        } catch (ApiException e) {
          allStarted = false;
          failure = failure == null ? e : failure;
        }
      }
      if (allStarted) {
        started.add(new StartedHead(head.head().branch(), head.head().sha(), accepted));
      } else {
        branchHeads.forget(repoId, head.head().branch(), head.runIds());
        log.warn(
            "repository {}: branch {} at {} could not start; the next poll builds it again",
            repoId,
            LogSafe.escape(head.head().branch()),
            head.head().sha());
      }
    }
    if (failure != null) {
      throw failure;
    }
    return started;
  }
}
