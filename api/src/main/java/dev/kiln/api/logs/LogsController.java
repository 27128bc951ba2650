package dev.kiln.api.logs;

import dev.kiln.api.auth.Caller;
import dev.kiln.api.auth.RequiresScope;
import dev.kiln.api.auth.Scope;
import dev.kiln.api.limits.StreamLimits;
import dev.kiln.api.runs.RunAccess;
import dev.kiln.api.runs.RunRemovals;
import dev.kiln.api.web.ApiException;
import dev.kiln.api.web.ApiPaths;
import dev.kiln.api.web.RunIds;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * {@code GET /runs/{id}/logs}, as plain text or as a live stream (SSE). The plain mapping declares
 * no {@code produces}: every request that does not ask for {@code text/event-stream} gets the plain
 * log; the stream is the method with {@code produces = text/event-stream}, which Spring picks only
 * for clients that name it in {@code Accept}.
 */
@RestController
class LogsController {

  /** The highest sequence number included, to continue with {@code ?after=}. */
  static final String LAST_SEQ_HEADER = "X-Kiln-Log-Seq";

  private final LogReader reader;
  private final LogStreams streams;
  private final RunAccess access;
  private final StreamLimits limits;
  private final RunRemovals removals;
  private final LogSearch search;

  LogsController(
      LogReader reader,
      LogStreams streams,
      RunAccess access,
      StreamLimits limits,
      RunRemovals removals,
      LogSearch search) {
    this.search = search;
    this.reader = reader;
    this.streams = streams;
    this.access = access;
    this.limits = limits;
    this.removals = removals;
  }

  @GetMapping(ApiPaths.RUN_LOGS)
  @RequiresScope(Scope.READ)
  void plain(
      @PathVariable String id,
      @RequestParam(required = false) String step,
      @RequestParam(required = false) Long after,
      HttpServletResponse response)
      throws IOException {
    long runId = RunIds.parse(id);
    access.require(Scope.READ, runId);
    removals.requireKept(runId, "logs");
    checkAfter("after", after);
    LogFilter filter = new LogFilter(step(step), after == null ? -1 : after);
    LogReader.LogSnapshot snapshot = reader.snapshot(runId, filter);
    response.setContentType(MediaType.TEXT_PLAIN_VALUE);
    response.setCharacterEncoding("UTF-8");
    response.setHeader(LAST_SEQ_HEADER, Long.toString(snapshot.upToSeq()));
    reader.copy(snapshot, response.getOutputStream());
  }

  /**
   * The lines that match {@code grep} ({@link LogSearch}): at most {@code limit} (default {@value
   * LogSearch#DEFAULT_LIMIT}, at most {@value LogSearch#MAX_LIMIT}), with their line numbers.
   */
  @GetMapping(
      path = ApiPaths.RUN_LOGS,
      params = "grep",
      produces = MediaType.APPLICATION_JSON_VALUE)
  @RequiresScope(Scope.READ)
  LogSearch.Matches grep(
      @PathVariable String id,
      @RequestParam String grep,
      @RequestParam(required = false) String step,
      @RequestParam(required = false) Boolean literal,
      @RequestParam(required = false) Integer limit) {
    long runId = RunIds.parse(id);
    access.require(Scope.READ, runId);
    removals.requireKept(runId, "logs");
    int max = limit == null ? LogSearch.DEFAULT_LIMIT : limit;
    if (max < 1 || max > LogSearch.MAX_LIMIT) {
      throw ApiException.badRequest(
          "limit: must be between 1 and " + LogSearch.MAX_LIMIT + ", got " + max);
    }
    return search.search(runId, grep, Boolean.TRUE.equals(literal), step(step), max);
  }

  /**
   * Replays the log, follows it live and ends with an {@code end} event once the run has a result.
   * Where it starts: after {@code Last-Event-ID} (what a reconnecting EventSource sends), else
   * after {@code ?after=}, else at the beginning, or at the live edge with {@code
   * from_beginning=false}. Streams count against the caller's and the api's limits ({@link
   * StreamLimits}) until they end.
   */
  @GetMapping(path = ApiPaths.RUN_LOGS, produces = MediaType.TEXT_EVENT_STREAM_VALUE)
  @RequiresScope(Scope.READ)
  SseEmitter stream(
      @PathVariable String id,
      @RequestParam(required = false) String step,
      @RequestParam(required = false) Long after,
      @RequestParam(name = "from_beginning", required = false) Boolean fromBeginning,
      @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId,
      HttpServletResponse response) {
    long runId = RunIds.parse(id);
    Caller caller = access.require(Scope.READ, runId);
    removals.requireKept(runId, "logs");
    checkAfter("after", after);
    Long start = after;
    if (lastEventId != null && !lastEventId.isBlank()) {
      try {
        start = Long.parseLong(lastEventId.trim());
      } catch (NumberFormatException e) {
        throw ApiException.badRequest(
            "Last-Event-ID: must be the id of a log event (a sequence number), got \""
                + lastEventId
                + "\"");
      }
      checkAfter("Last-Event-ID", start);
    }
    if (start == null && !Boolean.FALSE.equals(fromBeginning)) {
      start = -1L;
    }
    Runnable release = limits.open(caller);
    SseEmitter emitter;
    try {
      emitter = streams.open(runId, step(step), start, release);
    } catch (RuntimeException e) {
      release.run();
      throw e;
    }
    response.setHeader("Cache-Control", "no-cache");
    // nginx buffers proxied responses unless told otherwise, which would hold events back
    response.setHeader("X-Accel-Buffering", "no");
    return emitter;
  }

  private static void checkAfter(String name, Long after) {
    if (after != null && after < -1) {
      throw ApiException.badRequest(name + ": must be a sequence number (0 or more), got " + after);
    }
  }

  private static String step(String step) {
    return step == null || step.isEmpty() ? null : step;
  }
}
