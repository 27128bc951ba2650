package dev.kiln.api.rebuild;

import dev.kiln.api.repos.RegisteredRepo;
import dev.kiln.api.repos.RepoStore;
import dev.kiln.api.runs.NewRun;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * A rebuild of a registered repository takes its settings for what the request leaves out: the
 * architecture, the priority, and the supersede policy of the ref's branch pattern.
 */
@Component
class RegisteredDefaults {

  private final RepoStore repos;
  private final RebuildValidator validator;

  RegisteredDefaults(RepoStore repos, RebuildValidator validator) {
    this.repos = repos;
    this.validator = validator;
  }

  NewRun validate(RebuildBody body, String idempotencyKey) {
    Optional<RegisteredRepo> registered =
        body.repo() == null || body.repo().isBlank()
            ? Optional.empty()
            : repos.findByUrl(List.of(body.repo()));
    if (registered.isEmpty()) {
      return validator.validate(body, idempotencyKey);
    }
    NewRun run = validator.validate(body.withDefaultsOf(registered.get()), idempotencyKey);
    return run.withPolicy(registered.get().policyFor(run.ref()));
  }
}
