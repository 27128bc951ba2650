package dev.kiln.api.runs;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.kiln.api.auth.RequiresScope;
import dev.kiln.api.auth.Scope;
import dev.kiln.api.web.ApiException;
import dev.kiln.api.web.ApiPaths;
import dev.kiln.api.web.QueryStrings;
import dev.kiln.api.web.RunIds;
import dev.kiln.workflows.internal.InternalBodies.TestEntry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /runs/{id}/tests}: every test the run's gates reported, filtered and paged. */
@RestController
class TestsController {

  static final int DEFAULT_LIMIT = 1000;
  static final int MAX_LIMIT = 10_000;

  private static final Set<String> STATUSES = Set.of("passed", "failed", "skipped");

  private final TestResultRepository tests;
  private final RunAccess access;

  TestsController(TestResultRepository tests, RunAccess access) {
    this.tests = tests;
    this.access = access;
  }

  /**
   * @param next the next page, null on the last
   */
  record TestList(long runId, List<TestItem> tests, String next) {}

  /**
   * A test of the run, written as one object: its gate beside the fields the worker reported
   * ({@code status} {@code passed}, {@code failed} or {@code skipped}; {@code message} a failed
   * test's assertion or panic line, {@code file} and {@code line} where it is).
   */
  record TestItem(String gate, @JsonUnwrapped TestEntry test) {}

  @GetMapping(ApiPaths.RUN_TESTS)
  @RequiresScope(Scope.READ)
  TestList tests(
      @PathVariable String id,
      @RequestParam(required = false) String status,
      @RequestParam(required = false) String gate,
      @RequestParam(required = false) Integer limit,
      @RequestParam(required = false) Integer offset) {
    long runId = RunIds.parse(id);
    String wanted =
        status == null || status.isBlank() ? null : status.trim().toLowerCase(Locale.ROOT);
    if (wanted != null && !STATUSES.contains(wanted)) {
      throw ApiException.badRequest(
          "status: \"" + status + "\" is not one of passed, failed, skipped");
    }
    int pageSize = limit == null ? DEFAULT_LIMIT : limit;
    if (pageSize < 1 || pageSize > MAX_LIMIT) {
      throw ApiException.badRequest(
          "limit: must be between 1 and " + MAX_LIMIT + ", got " + pageSize);
    }
    int skip = offset == null ? 0 : offset;
    if (skip < 0) {
      throw ApiException.badRequest("offset: must be 0 or more, got " + skip);
    }
    String gateName = gate == null || gate.isBlank() ? null : gate;
    access.require(Scope.READ, runId);
    // one extra row tells whether another page exists without a count query
    List<TestResultRepository.StoredTest> rows =
        tests.find(runId, wanted, gateName, skip, pageSize + 1);
    boolean more = rows.size() > pageSize;
    List<TestItem> page =
        rows.stream().limit(pageSize).map(t -> new TestItem(t.gate(), t.test())).toList();
    return new TestList(
        runId, page, more ? next(runId, wanted, gateName, pageSize, skip + pageSize) : null);
  }

  private static String next(long runId, String status, String gate, int limit, int offset) {
    Map<String, Object> params = new LinkedHashMap<>();
    if (status != null) {
      params.put("status", status);
    }
    if (gate != null) {
      params.put("gate", gate);
    }
    params.put("limit", limit);
    params.put("offset", offset);
    return QueryStrings.link(ApiPaths.runTests(runId), params);
  }
}
