package dev.kiln.api.runs;

import dev.kiln.api.ui.Pages;
import dev.kiln.api.web.ApiPaths;
import java.util.Map;
import org.springframework.http.ResponseEntity;

/**
 * {@code GET /runs/{id}} for a browser ({@code ui/run.html} and {@code ui/run.js}): the run's
 * header, result and failure summary are in the HTML as it is served; the script builds the rest
 * from the run view, which the page carries as JSON, and keeps it live (the log stream, and the run
 * view again while the run builds).
 */
final class RunHtml {

  private RunHtml() {}

  /**
   * @param viewJson the run view as {@code GET /runs/{id}} answers it
   */
  static ResponseEntity<String> answer(RunView run, String viewJson) {
    RunSummary summary = run.run();
    String title =
        summary.repo()
            + " "
            + (summary.ref() == null ? "HEAD" : summary.ref())
            + " "
            + summary.arch();
    return Pages.answer(
        Pages.Page.RUN,
        Map.of(
            "id", Long.toString(summary.runId()),
            "title", Pages.esc(title),
            "result", Pages.esc(summary.result()),
            "phase", Pages.esc(summary.phase()),
            "failure", Pages.esc(summary.failureSummary()),
            "ui_url", Pages.esc(summary.temporal().uiUrl()),
            "logs_url", Pages.esc(ApiPaths.runLogs(summary.runId())),
            "view", Pages.json(viewJson)));
  }
}
