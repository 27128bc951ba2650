package dev.kiln.api.runs;

import dev.kiln.api.auth.Access;
import dev.kiln.api.auth.RequiresScope;
import dev.kiln.api.auth.Scope;
import dev.kiln.api.web.ApiPaths;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** Dashboards and merge-request bots: {@code GET /state} and {@code GET /mr-task/{mr}}. */
@RestController
class StateController {

  private final RunViews views;
  private final Access access;

  StateController(RunViews views, Access access) {
    this.views = views;
    this.access = access;
  }

  /** The lanes of repositories the caller may read. */
  @GetMapping(ApiPaths.STATE)
  @RequiresScope(Scope.READ)
  List<LaneState> state() {
    return views.state(access.caller().repos());
  }

  /**
   * At most {@value RunsController#MAX_LIMIT} runs of repositories the caller may read; older ones
   * are on {@code GET /runs?mr=}.
   */
  @GetMapping(ApiPaths.MR_TASK)
  @RequiresScope(Scope.READ)
  MrRuns mrTask(@PathVariable String mr) {
    return views.mrRuns(mr.trim(), access.caller().repos(), RunsController.MAX_LIMIT);
  }
}
