package dev.kiln.api.runs;

import dev.kiln.api.web.ApiPaths;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** Dashboards and merge-request bots: {@code GET /state} and {@code GET /mr-task/{mr}}. */
@RestController
class StateController {

  private final RunViews views;

  StateController(RunViews views) {
    this.views = views;
  }

  @GetMapping(ApiPaths.STATE)
  List<LaneState> state() {
    return views.state();
  }

  /** At most {@value RunsController#MAX_LIMIT} runs; older ones are on {@code GET /runs?mr=}. */
  @GetMapping(ApiPaths.MR_TASK)
  MrRuns mrTask(@PathVariable String mr) {
    return views.mrRuns(mr.trim(), RunsController.MAX_LIMIT);
  }
}
