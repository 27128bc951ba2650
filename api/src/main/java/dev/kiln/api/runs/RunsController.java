package dev.kiln.api.runs;

import dev.kiln.api.config.Archs;
import dev.kiln.api.web.ApiException;
import dev.kiln.api.web.ApiPaths;
import dev.kiln.api.web.RunIds;
import dev.kiln.workflows.Result;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
class RunsController {

  static final int DEFAULT_LIMIT = 50;
  static final int MAX_LIMIT = 200;

  private final RunViews views;

  RunsController(RunViews views) {
    this.views = views;
  }

  @GetMapping(ApiPaths.RUN)
  RunView run(@PathVariable String id) {
    return views.view(RunIds.parse(id));
  }

  /** The same run for a browser: a page that follows the live log (see {@link RunHtml}). */
  @GetMapping(path = ApiPaths.RUN, produces = MediaType.TEXT_HTML_VALUE)
  ResponseEntity<String> page(@PathVariable String id) {
    return ResponseEntity.ok()
        .contentType(new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8))
        .body(RunHtml.render(views.view(RunIds.parse(id))));
  }

  @GetMapping(ApiPaths.RUNS)
  RunPage runs(
      @RequestParam(required = false) String repo,
      @RequestParam(required = false) String branch,
      @RequestParam(required = false) String mr,
      @RequestParam(required = false) String arch,
      @RequestParam(required = false) String result,
      @RequestParam(required = false) String since,
      @RequestParam(required = false) Integer limit,
      @RequestParam(required = false) Long before) {
    int pageSize = limit == null ? DEFAULT_LIMIT : limit;
    if (pageSize < 1 || pageSize > MAX_LIMIT) {
      throw ApiException.badRequest(
          "limit: must be between 1 and " + MAX_LIMIT + ", got " + pageSize);
    }
    if (before != null && before < 1) {
      throw ApiException.badRequest("before: must be a positive run id, got " + before);
    }
    RunFilter filter =
        new RunFilter(
            blankToNull(repo),
            blankToNull(branch),
            blankToNull(mr),
            blankToNull(arch) == null ? null : Archs.normalise(arch),
            blankToNull(result) == null ? null : result(result),
            blankToNull(since) == null ? null : instant(since),
            before);
    return views.page(filter, pageSize);
  }

  private static Result result(String raw) {
    try {
      return Result.fromWireName(raw.trim().toLowerCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(
          "result: \""
              + raw
              + "\" is not one of "
              + Arrays.stream(Result.values())
                  .map(Result::wireName)
                  .collect(Collectors.joining(", ")));
    }
  }

  private static Instant instant(String raw) {
    String value = raw.trim();
    try {
      return OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeParseException e) {
      // an unencoded "+02:00" arrives as " 02:00"
      try {
        return OffsetDateTime.parse(value.replace(' ', '+')).toInstant();
      } catch (DateTimeParseException again) {
        throw ApiException.badRequest(
            "since: \"" + raw + "\" is not an RFC 3339 timestamp such as 2025-01-31T08:00:00Z");
      }
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
