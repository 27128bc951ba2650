package dev.kiln.api.watch;

import dev.kiln.api.auth.Access;
import dev.kiln.api.auth.RequiresScope;
import dev.kiln.api.auth.Scope;
import dev.kiln.api.web.ApiException;
import dev.kiln.api.web.ApiPaths;
import java.util.List;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /repos/{id}/poll}: what the repository's schedule does, now. */
@RestController
@RequiresScope(Scope.ADMIN)
class PollController {

  private final PollNow pollNow;
  private final Access access;

  PollController(PollNow pollNow, Access access) {
    this.pollNow = pollNow;
    this.access = access;
  }

  /** A started run. */
  record StartedRun(long runId, String statusUrl) {}

  /** The runs started for a branch whose head moved. */
  record StartedBranch(String branch, String sha, List<StartedRun> runs) {}

  /**
   * The answer.
   *
   * @param started empty when no watched branch moved
   * @param note why nothing was started, when that is not simply that nothing moved
   */
  record PollAnswer(long repoId, String workflowId, List<StartedBranch> started, String note) {}

  /** 200 once the poll is done, listing what it started. */
  @PostMapping(ApiPaths.REPO_POLL)
  PollAnswer poll(@PathVariable String id) {
    PollNow.Polled polled = pollNow.poll(repoId(id), access.caller().name());
    List<StartedBranch> started =
        polled.answer().started().stream()
            .map(
                head ->
                    new StartedBranch(
                        head.branch(),
                        head.sha(),
                        head.runIds().stream()
                            .map(runId -> new StartedRun(runId, ApiPaths.run(runId)))
                            .toList()))
            .toList();
    return new PollAnswer(polled.repo().id(), polled.workflowId(), started, polled.answer().note());
  }

  private static long repoId(String raw) {
    if (raw != null && raw.matches("[0-9]{1,18}")) {
      return Long.parseLong(raw);
    }
    throw ApiException.badRequest("repository id \"" + raw + "\" is not a positive integer");
  }
}
