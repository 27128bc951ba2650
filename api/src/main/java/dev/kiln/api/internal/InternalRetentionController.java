package dev.kiln.api.internal;

import dev.kiln.api.retention.RetentionService;
import dev.kiln.api.web.ApiException;
import dev.kiln.workflows.internal.InternalBodies.RetentionAnswer;
import dev.kiln.workflows.internal.InternalBodies.RetentionRequest;
import dev.kiln.workflows.internal.InternalPaths;
import java.io.IOException;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** Retention's batches, called by the daily retention workflow's activity. */
@RestController
class InternalRetentionController {

  private final RetentionService retention;

  InternalRetentionController(RetentionService retention) {
    this.retention = retention;
  }

  @PostMapping(path = InternalPaths.RETENTION, consumes = MediaType.APPLICATION_JSON_VALUE)
  RetentionAnswer prune(@RequestBody RetentionRequest body) throws IOException {
    if (body.limit() != null && body.limit() < 1) {
      throw ApiException.badRequest("limit: must be at least 1");
    }
    RetentionService.Pruned pruned = retention.prune(body.limit());
    return new RetentionAnswer(
        pruned.runs(), pruned.logChunks(), pruned.artifacts(), pruned.more());
  }
}
