package dev.kiln.api.logs;

import dev.kiln.api.web.ApiException;
import dev.kiln.api.web.ApiPaths;
import dev.kiln.api.web.RunIds;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /runs/{id}/logs} as plain text. The mapping declares no {@code produces}: DESIGN.md
 * says every request that does not ask for {@code text/event-stream} gets the plain log, and the
 * SSE variant will be a second method with {@code produces = text/event-stream}, which Spring
 * prefers for clients that accept it.
 */
@RestController
class LogsController {

  /** The highest sequence number included, to continue with {@code ?after=}. */
  static final String LAST_SEQ_HEADER = "X-Kiln-Log-Seq";

  private final LogReader reader;

  LogsController(LogReader reader) {
    this.reader = reader;
  }

  @GetMapping(ApiPaths.RUN_LOGS)
  void plain(
      @PathVariable String id,
      @RequestParam(required = false) String step,
      @RequestParam(required = false) Long after,
      HttpServletResponse response)
      throws IOException {
    long runId = RunIds.parse(id);
    if (after != null && after < -1) {
      throw ApiException.badRequest("after: must be a sequence number (0 or more), got " + after);
    }
    LogFilter filter =
        new LogFilter(step == null || step.isEmpty() ? null : step, after == null ? -1 : after);
    LogReader.LogSnapshot snapshot = reader.snapshot(runId, filter);
    response.setContentType(MediaType.TEXT_PLAIN_VALUE);
    response.setCharacterEncoding("UTF-8");
    response.setHeader(LAST_SEQ_HEADER, Long.toString(snapshot.upToSeq()));
    reader.copy(snapshot, response.getOutputStream());
  }
}
