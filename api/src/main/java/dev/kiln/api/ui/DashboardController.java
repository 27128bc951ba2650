package dev.kiln.api.ui;

import dev.kiln.api.auth.RequiresScope;
import dev.kiln.api.auth.Scope;
import dev.kiln.api.temporal.TemporalLinks;
import dev.kiln.api.web.ApiPaths;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /} for a browser: the runs dashboard ({@code ui/dashboard.html}, {@code
 * ui/dashboard.js}). The page is the same for everyone; its script reads {@code GET /runs} and
 * {@code GET /state}, which list only what the caller may read.
 */
@RestController
class DashboardController {

  private final TemporalLinks links;

  DashboardController(TemporalLinks links) {
    this.links = links;
  }

  @GetMapping(path = ApiPaths.DASHBOARD, produces = MediaType.TEXT_HTML_VALUE)
  @RequiresScope(Scope.READ)
  ResponseEntity<String> dashboard() {
    return Pages.answer(
        Pages.Page.DASHBOARD, Map.of("temporal_ui", Pages.esc(links.namespaceUi())));
  }
}
