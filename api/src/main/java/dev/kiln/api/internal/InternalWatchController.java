package dev.kiln.api.internal;

import dev.kiln.api.watch.HeadBuilds;
import dev.kiln.api.web.ApiException;
import dev.kiln.workflows.internal.InternalBodies.HeadBuild;
import dev.kiln.workflows.internal.InternalBodies.Heads;
import dev.kiln.workflows.internal.InternalBodies.HeadsAnswer;
import dev.kiln.workflows.internal.InternalPaths;
import dev.kiln.workflows.watch.WatchSchedule;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** The watcher's polls: the heads a build worker listed, built where they moved. */
@RestController
class InternalWatchController {

  static final int MAX_HEADS = 10_000;

  private final HeadBuilds heads;

  InternalWatchController(HeadBuilds heads) {
    this.heads = heads;
  }

  @PostMapping(path = InternalPaths.REPO_HEADS, consumes = MediaType.APPLICATION_JSON_VALUE)
  HeadsAnswer buildMoved(@PathVariable String id, @RequestBody Heads body) {
    if (id == null || !id.matches("[0-9]{1,18}")) {
      throw ApiException.badRequest("repository id \"" + id + "\" is not a positive integer");
    }
    if (body.url() == null || body.heads() == null) {
      throw ApiException.badRequest("url and heads are required");
    }
    if (body.heads().size() > MAX_HEADS) {
      throw ApiException.badRequest("heads: more than " + MAX_HEADS);
    }
    String by =
        body.triggeredBy() == null || body.triggeredBy().isBlank()
            ? WatchSchedule.TRIGGERED_BY
            : body.triggeredBy();
    HeadBuilds.Outcome outcome = heads.buildMoved(Long.parseLong(id), body.url(), body.heads(), by);
    List<HeadBuild> started =
        outcome.started().stream()
            .map(
                head ->
                    new HeadBuild(
                        head.branch(),
                        head.sha(),
                        head.runs().stream().map(run -> run.runId()).toList()))
            .toList();
    return new HeadsAnswer(started, outcome.note());
  }
}
