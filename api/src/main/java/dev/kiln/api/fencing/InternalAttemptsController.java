package dev.kiln.api.fencing;

import dev.kiln.api.web.ApiException;
import dev.kiln.api.web.RunIds;
import dev.kiln.workflows.internal.InternalBodies.AttemptAnswer;
import dev.kiln.workflows.internal.InternalBodies.AttemptStarted;
import dev.kiln.workflows.internal.InternalPaths;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /internal/runs/{id}/attempt} (docs/internal-api.md): the run's workflow starts a new
 * host attempt after a lost host, and from the answer on the api refuses writes of earlier ones.
 */
@RestController
class InternalAttemptsController {

  private final AttemptFence fence;

  InternalAttemptsController(AttemptFence fence) {
    this.fence = fence;
  }

  @PostMapping(path = InternalPaths.ATTEMPT, consumes = MediaType.APPLICATION_JSON_VALUE)
  AttemptAnswer begin(@PathVariable String id, @RequestBody AttemptStarted body) {
    long runId = RunIds.parse(id);
    if (body.attempt() == null || body.attempt() < 1) {
      throw ApiException.badRequest("attempt: must be the attempt that begins, 1 or more");
    }
    return new AttemptAnswer(fence.begin(runId, body.attempt()));
  }
}
