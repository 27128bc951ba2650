package dev.kiln.api.rebuild;

import dev.kiln.api.auth.Access;
import dev.kiln.api.auth.Caller;
import dev.kiln.api.auth.RequiresScope;
import dev.kiln.api.auth.Scope;
import dev.kiln.api.limits.RequestLimits;
import dev.kiln.api.runs.NewRun;
import dev.kiln.api.web.ApiException;
import dev.kiln.api.web.ApiPaths;
import dev.kiln.workflows.RunPriority;
import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

@RestController
class RebuildController {

  static final String IDEMPOTENCY_KEY = "Idempotency-Key";

  private final RegisteredDefaults validator;
  private final RebuildService service;
  private final Access access;
  private final RequestLimits limits;

  RebuildController(
      RegisteredDefaults validator, RebuildService service, Access access, RequestLimits limits) {
    this.validator = validator;
    this.service = service;
    this.access = access;
    this.limits = limits;
  }

  /**
   * 202 for a new run. A request repeating an earlier {@code Idempotency-Key} gets 200 with the
   * same body: nothing new was started. The caller needs {@code trigger} on the repository (and so
   * may supersede the lane's running build), {@code urgent} for that priority, and rebuilds left in
   * its minute.
   */
  @PostMapping(path = ApiPaths.REBUILD, consumes = MediaType.APPLICATION_JSON_VALUE)
  @RequiresScope(Scope.TRIGGER)
  ResponseEntity<RebuildAccepted> rebuild(
      @RequestBody RebuildBody body,
      @RequestHeader(name = IDEMPOTENCY_KEY, required = false) String idempotencyKey) {
    NewRun run = validator.validate(body, idempotencyKey);
    Caller caller = access.require(Scope.TRIGGER, run.repo());
    if (run.priority() == RunPriority.URGENT && !caller.has(Scope.URGENT)) {
      throw ApiException.forbidden(
              "priority \"urgent\" jumps every queue: it needs scope \"urgent\" (or \"admin\"),"
                  + " which token \""
                  + caller.name()
                  + "\" lacks")
          .with("missing_scope", Scope.URGENT.wireName());
    }
    limits.takeRebuild(caller);
    RebuildService.Outcome outcome = service.rebuild(run, caller.name());
    RebuildAccepted accepted = outcome.accepted();
    return ResponseEntity.status(outcome.replayed() ? HttpStatus.OK : HttpStatus.ACCEPTED)
        .location(URI.create(accepted.statusUrl()))
        .body(accepted);
  }
}
