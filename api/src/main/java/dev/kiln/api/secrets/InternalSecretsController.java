package dev.kiln.api.secrets;

import dev.kiln.api.fencing.AttemptFence;
import dev.kiln.api.runs.RunRecord;
import dev.kiln.api.runs.RunRepository;
import dev.kiln.api.web.ApiException;
import dev.kiln.api.web.RunIds;
import dev.kiln.workflows.internal.AttemptFencing;
import dev.kiln.workflows.internal.InternalBodies.SecretsAnswer;
import dev.kiln.workflows.internal.InternalBodies.SecretsRequest;
import dev.kiln.workflows.internal.InternalPaths;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /internal/runs/{id}/secrets} (docs/internal-api.md): the values a step of a run
 * names, for the worker about to run it. The only way a value leaves the api.
 */
@RestController
class InternalSecretsController {

  private static final int MAX_NAMES = 100;

  private final RepoSecrets secrets;
  private final RunRepository runs;
  private final AttemptFence fence;

  InternalSecretsController(RepoSecrets secrets, RunRepository runs, AttemptFence fence) {
    this.fence = fence;
    this.secrets = secrets;
    this.runs = runs;
  }

  @PostMapping(path = InternalPaths.SECRETS, consumes = MediaType.APPLICATION_JSON_VALUE)
  SecretsAnswer secrets(
      @PathVariable String id,
      @RequestHeader(name = AttemptFencing.ATTEMPT_HEADER, required = false) Integer attempt,
      @RequestBody SecretsRequest body) {
    long runId = RunIds.parse(id);
    if (body.names() == null || body.names().isEmpty() || body.names().size() > MAX_NAMES) {
      throw ApiException.badRequest("names: must list 1 to " + MAX_NAMES + " secret names");
    }
    // a superseded attempt's steps get no values: the run went on without them
    return fence.guarded(
        runId,
        attempt,
        "secrets",
        () -> {
          RunRecord run = runs.find(runId).orElseThrow(() -> ApiException.runNotFound(runId));
          return secrets.forRun(run, body.names());
        });
  }
}
