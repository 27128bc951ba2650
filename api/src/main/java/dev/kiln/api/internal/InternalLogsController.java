package dev.kiln.api.internal;

import dev.kiln.api.logs.LogIngest;
import dev.kiln.api.web.ApiException;
import dev.kiln.api.web.RunIds;
import dev.kiln.workflows.LogChunk;
import dev.kiln.workflows.internal.AttemptFencing;
import dev.kiln.workflows.internal.InternalBodies.LogBatch;
import dev.kiln.workflows.internal.InternalBodies.LogsAnswer;
import dev.kiln.workflows.internal.InternalPaths;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

@RestController
class InternalLogsController {

  private final LogIngest ingest;

  InternalLogsController(LogIngest ingest) {
    this.ingest = ingest;
  }

  @PostMapping(path = InternalPaths.LOGS, consumes = MediaType.APPLICATION_JSON_VALUE)
  LogsAnswer append(
      @PathVariable String id,
      @RequestHeader(name = AttemptFencing.ATTEMPT_HEADER, required = false) Integer attempt,
      @RequestBody LogBatch body) {
    long runId = RunIds.parse(id);
    if (body.chunks() == null) {
      throw ApiException.badRequest("chunks is required");
    }
    List<LogChunk> chunks = new ArrayList<>(body.chunks().size());
    for (int i = 0; i < body.chunks().size(); i++) {
      chunks.add(chunk("chunks[" + i + "]", body.chunks().get(i)));
    }
    return new LogsAnswer(ingest.append(runId, attempt, chunks).followed());
  }

  /** Checks a chunk as sent: 400 naming {@code field} if it is not one; a missing offset is 0. */
  private static LogChunk chunk(String field, LogChunk chunk) {
    if (chunk == null) {
      throw ApiException.badRequest(field + ": must not be null");
    }
    if (chunk.seq() == null) {
      throw ApiException.badRequest(field + ".seq is required");
    }
    if (chunk.seq() < 0) {
      throw ApiException.badRequest(field + ".seq: must not be negative, got " + chunk.seq());
    }
    if (chunk.offset() != null && chunk.offset() < 0) {
      throw ApiException.badRequest(field + ".offset: must not be negative, got " + chunk.offset());
    }
    if (chunk.data() == null) {
      throw ApiException.badRequest(field + ".data is required");
    }
    return new LogChunk(
        chunk.seq(),
        InternalInput.name(field + ".step", chunk.step()),
        chunk.offset() == null ? 0L : chunk.offset(),
        chunk.ts(),
        chunk.data());
  }
}
