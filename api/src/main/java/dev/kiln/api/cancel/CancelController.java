package dev.kiln.api.cancel;

import dev.kiln.api.auth.RequiresScope;
import dev.kiln.api.auth.Scope;
import dev.kiln.api.runs.RunView;
import dev.kiln.api.web.ApiPaths;
import dev.kiln.api.web.RunIds;
import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

@RestController
class CancelController {

  private final CancelService service;

  CancelController(CancelService service) {
    this.service = service;
  }

  /**
   * 202 with the run view while the run is being cancelled ({@code result} stays {@code building}
   * until the build host has stopped the commands and cleaned up); 409 when the run already ended.
   */
  @PutMapping(ApiPaths.BUILD_JOB_CANCEL)
  @RequiresScope(Scope.CANCEL)
  ResponseEntity<RunView> cancel(
      @PathVariable String id, @RequestBody(required = false) CancelBody body) {
    long runId = RunIds.parse(id);
    RunView view = service.cancel(runId, body == null ? null : body.reason());
    return ResponseEntity.status(HttpStatus.ACCEPTED)
        .location(URI.create(ApiPaths.run(runId)))
        .body(view);
  }
}
