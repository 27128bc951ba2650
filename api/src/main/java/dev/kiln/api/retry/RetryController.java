package dev.kiln.api.retry;

import dev.kiln.api.auth.RequiresScope;
import dev.kiln.api.auth.Scope;
import dev.kiln.api.rebuild.RebuildAccepted;
import dev.kiln.api.web.ApiPaths;
import dev.kiln.api.web.RunIds;
import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
class RetryController {

  private final RetryService service;

  RetryController(RetryService service) {
    this.service = service;
  }

  /** 202 with the new run, as {@code POST /rebuild} answers; its view has {@code retry_of}. */
  @PostMapping(ApiPaths.RUN_RETRY)
  @RequiresScope(Scope.TRIGGER)
  ResponseEntity<RebuildAccepted> retry(@PathVariable String id) {
    RebuildAccepted accepted = service.retry(RunIds.parse(id)).accepted();
    return ResponseEntity.status(HttpStatus.ACCEPTED)
        .location(URI.create(accepted.statusUrl()))
        .body(accepted);
  }
}
