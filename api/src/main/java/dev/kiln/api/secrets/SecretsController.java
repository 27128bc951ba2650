package dev.kiln.api.secrets;

import dev.kiln.api.auth.Access;
import dev.kiln.api.auth.RequiresScope;
import dev.kiln.api.auth.Scope;
import dev.kiln.api.web.ApiException;
import dev.kiln.api.web.ApiPaths;
import java.time.Instant;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /repos/{id}/secrets}: a registered repository's build secrets. Write-only: a value goes in
 * with {@code PUT} and never comes out of the public API; the list shows names and dates.
 */
@RestController
@RequiresScope(Scope.ADMIN)
class SecretsController {

  private final RepoSecrets secrets;
  private final Access access;

  SecretsController(RepoSecrets secrets, Access access) {
    this.secrets = secrets;
    this.access = access;
  }

  /** A secret's name and dates, never its value. */
  record Listed(String name, Instant createdAt, Instant updatedAt, String updatedBy) {}

  record SecretList(List<Listed> secrets) {}

  /** 201 for a new secret, 204 for a replaced one; the body is the value, as it is. */
  @PutMapping(ApiPaths.REPO_SECRET)
  ResponseEntity<Void> put(
      @PathVariable String id,
      @PathVariable String name,
      @RequestBody(required = false) byte[] body) {
    boolean created = secrets.put(repoId(id), name, body, access.caller().name());
    return ResponseEntity.status(created ? HttpStatus.CREATED : HttpStatus.NO_CONTENT).build();
  }

  @DeleteMapping(ApiPaths.REPO_SECRET)
  @ResponseStatus(HttpStatus.NO_CONTENT)
  void delete(@PathVariable String id, @PathVariable String name) {
    secrets.delete(repoId(id), name, access.caller().name());
  }

  @GetMapping(ApiPaths.REPO_SECRETS)
  SecretList list(@PathVariable String id) {
    return new SecretList(
        secrets.list(repoId(id)).stream()
            .map(s -> new Listed(s.name(), s.createdAt(), s.updatedAt(), s.updatedBy()))
            .toList());
  }

  private static long repoId(String raw) {
    if (raw != null && raw.matches("[0-9]{1,18}")) {
      return Long.parseLong(raw);
    }
    throw ApiException.badRequest("repository id \"" + raw + "\" is not a positive integer");
  }
}
