package dev.kiln.api.hooks;

import dev.kiln.api.auth.ForgeSigned;
import dev.kiln.api.web.ApiPaths;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * Forge webhooks. No token: each delivery proves itself with its repository's webhook secret.
 * {@code 202} when Kiln started or cancelled runs or noted why not, {@code 200} for a delivery
 * received before, {@code 401} for a wrong proof, {@code 404} for an unregistered repository.
 */
@RestController
@ForgeSigned
class HooksController {

  /** GitLab before 15.x sent no event UUID; newer versions send this too. */
  static final String GITLAB_IDEMPOTENCY_KEY = "Idempotency-Key";

  private final HookService hooks;

  HooksController(HookService hooks) {
    this.hooks = hooks;
  }

  @PostMapping(ApiPaths.HOOK_GITHUB)
  ResponseEntity<HookAnswer> github(
      @RequestHeader HttpHeaders headers, @RequestBody(required = false) byte[] body) {
    return handle(Forge.GITHUB, headers, headers.getFirst(Forge.GITHUB.deliveryHeader), body);
  }

  @PostMapping(ApiPaths.HOOK_GITLAB)
  ResponseEntity<HookAnswer> gitlab(
      @RequestHeader HttpHeaders headers, @RequestBody(required = false) byte[] body) {
    String id = headers.getFirst(Forge.GITLAB.deliveryHeader);
    return handle(
        Forge.GITLAB, headers, id != null ? id : headers.getFirst(GITLAB_IDEMPOTENCY_KEY), body);
  }

  @PostMapping(ApiPaths.HOOK_GITEA)
  ResponseEntity<HookAnswer> gitea(
      @RequestHeader HttpHeaders headers, @RequestBody(required = false) byte[] body) {
    return handle(Forge.GITEA, headers, headers.getFirst(Forge.GITEA.deliveryHeader), body);
  }

  private ResponseEntity<HookAnswer> handle(
      Forge forge, HttpHeaders headers, String deliveryId, byte[] body) {
    HookAnswer answer =
        hooks.handle(
            new HookService.Delivery(
                forge,
                headers.getFirst(forge.eventHeader),
                deliveryId,
                headers.getFirst(forge.proofHeader),
                body));
    return ResponseEntity.status(answer.duplicate() ? HttpStatus.OK : HttpStatus.ACCEPTED)
        .body(answer);
  }
}
