package dev.kiln.workflows.lane;

import dev.kiln.workflows.RebuildRequest;
import java.util.List;

/**
 * What a lane run starts with: its identity, and what an earlier run of the lane handed over when
 * it continued as new.
 *
 * @param lane the lane's name as the api writes it (the workflow id without {@code kiln-lane/})
 * @param ref the branch; {@code null} means the default branch
 * @param pending requests taken but not yet started (carried over by continue-as-new)
 * @param admittedRunIds the most recent run ids taken, newest last, to reject duplicates
 * @param lastStartedRunId the newest run this lane started; an older request is superseded by it
 * @param maxBuildsPerRun builds after which the lane continues as new even if Temporal does not
 *     suggest it yet; {@code 0} means {@link #DEFAULT_MAX_BUILDS_PER_RUN}
 */
public record LaneInput(
    String lane,
    String repo,
    String ref,
    String arch,
    List<RebuildRequest> pending,
    List<Long> admittedRunIds,
    long lastStartedRunId,
    int maxBuildsPerRun) {

  /** Keeps a lane's history short (each build costs a few dozen events) whatever Temporal says. */
  public static final int DEFAULT_MAX_BUILDS_PER_RUN = 100;

  public LaneInput {
    pending = pending == null ? List.of() : List.copyOf(pending);
    admittedRunIds = admittedRunIds == null ? List.of() : List.copyOf(admittedRunIds);
    maxBuildsPerRun = maxBuildsPerRun <= 0 ? DEFAULT_MAX_BUILDS_PER_RUN : maxBuildsPerRun;
  }

  /** A new lane for {@code first}'s repository, ref and architecture. */
  public static LaneInput of(String lane, RebuildRequest first) {
    return new LaneInput(lane, first.repo(), first.ref(), first.arch(), List.of(), List.of(), 0, 0);
  }

  /** For tests: continue as new after fewer builds. */
  public LaneInput withMaxBuildsPerRun(int builds) {
    return new LaneInput(lane, repo, ref, arch, pending, admittedRunIds, lastStartedRunId, builds);
  }
}
