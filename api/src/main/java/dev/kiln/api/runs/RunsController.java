package dev.kiln.api.runs;

import dev.kiln.api.auth.Access;
import dev.kiln.api.auth.RequiresScope;
import dev.kiln.api.auth.Scope;
import dev.kiln.api.web.ApiException;
import dev.kiln.api.web.ApiPaths;
import dev.kiln.api.web.RunIds;
import dev.kiln.workflows.Architectures;
import dev.kiln.workflows.Result;
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
import tools.jackson.databind.json.JsonMapper;

@RestController
class RunsController {

  static final int DEFAULT_LIMIT = 50;
  static final int MAX_LIMIT = 200;

  private final RunViews views;
  private final Access access;
  private final JsonMapper json;

  RunsController(RunViews views, Access access, JsonMapper json) {
    this.views = views;
    this.access = access;
    this.json = json;
  }

  @GetMapping(ApiPaths.RUN)
  @RequiresScope(Scope.READ)
  RunView run(@PathVariable String id) {
    return readable(views.view(RunIds.parse(id)));
  }

  /**
   * The same run for a browser: a page that follows the run live (see {@link RunHtml}), whose
   * Content-Security-Policy lets only its own inline script and style run, with a nonce made for
   * this response.
   */
  @GetMapping(path = ApiPaths.RUN, produces = MediaType.TEXT_HTML_VALUE)
  @RequiresScope(Scope.READ)
  ResponseEntity<String> page(@PathVariable String id) {
    RunView view = readable(views.view(RunIds.parse(id)));
    return RunHtml.answer(view, json.writeValueAsString(view));
  }

  private RunView readable(RunView view) {
    access.require(Scope.READ, view.run().repo());
    return view;
  }

  /** Only runs of repositories the caller may read are listed. */
  @GetMapping(ApiPaths.RUNS)
  @RequiresScope(Scope.READ)
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
            blankToNull(arch) == null ? null : Architectures.normalise(arch),
            blankToNull(result) == null ? null : result(result),
            blankToNull(since) == null ? null : instant(since),
            before);
    return views.page(filter, access.caller().repos(), pageSize);
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
