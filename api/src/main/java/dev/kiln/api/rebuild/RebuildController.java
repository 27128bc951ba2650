package dev.kiln.api.rebuild;

import dev.kiln.api.web.ApiPaths;
import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

@RestController
class RebuildController {

  static final String IDEMPOTENCY_KEY = "Idempotency-Key";

  private final RebuildValidator validator;
  private final RebuildService service;

  RebuildController(RebuildValidator validator, RebuildService service) {
    this.validator = validator;
    this.service = service;
  }

  /**
   * 202 for a new run. A request repeating an earlier {@code Idempotency-Key} gets 200 with the
   * same body: nothing new was started.
   */
  @PostMapping(path = ApiPaths.REBUILD, consumes = MediaType.APPLICATION_JSON_VALUE)
  ResponseEntity<RebuildAccepted> rebuild(
      @RequestBody RebuildBody body,
      @RequestHeader(name = IDEMPOTENCY_KEY, required = false) String idempotencyKey) {
    RebuildService.Outcome outcome =
        service.rebuild(
            validator.validate(body, idempotencyKey),
            ServletUriComponentsBuilder.fromCurrentContextPath().toUriString());
    RebuildAccepted accepted = outcome.accepted();
    return ResponseEntity.status(outcome.replayed() ? HttpStatus.OK : HttpStatus.ACCEPTED)
        .location(URI.create(accepted.statusUrl()))
        .body(accepted);
  }
}
