package dev.kiln.api.flaky;

import dev.kiln.api.auth.Access;
import dev.kiln.api.auth.RequiresScope;
import dev.kiln.api.auth.Scope;
import dev.kiln.api.repos.RegisteredRepo;
import dev.kiln.api.repos.RepoStore;
import dev.kiln.api.web.ApiException;
import dev.kiln.api.web.ApiPaths;
import java.time.Instant;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /repos/{id}/flaky-tests}: the tests of a registered repository that flaked. */
@RestController
class FlakyTestsController {

  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1000;

  private final RepoStore repos;
  private final FlakyTestRepository tests;
  private final Access access;

  FlakyTestsController(RepoStore repos, FlakyTestRepository tests, Access access) {
    this.repos = repos;
    this.tests = tests;
    this.access = access;
  }

  /**
   * When a test was last seen flaky.
   *
   * @param runId the retry it passed in
   * @param failedRunId the run it had failed in, which that retry retried
   */
  record LastSeen(long runId, String statusUrl, long failedRunId, Instant at) {}

  /**
   * @param timesFlaky in how many retries it passed after failing in the run retried
   */
  record Listed(
      String gate,
      String suite,
      String name,
      int timesFlaky,
      Instant firstSeenAt,
      LastSeen lastSeen) {}

  record FlakyTests(long repoId, String url, List<Listed> tests) {}

  @GetMapping(ApiPaths.REPO_FLAKY_TESTS)
  @RequiresScope(Scope.READ)
  FlakyTests list(@PathVariable String id, @RequestParam(required = false) Integer limit) {
    long repoId = repoId(id);
    int max = limit == null ? DEFAULT_LIMIT : limit;
    if (max < 1 || max > MAX_LIMIT) {
      throw ApiException.badRequest("limit: must be between 1 and " + MAX_LIMIT + ", got " + max);
    }
    RegisteredRepo repo =
        repos
            .find(repoId)
            .orElseThrow(
                () -> ApiException.notFound("repository " + repoId + " is not registered"));
    access.require(Scope.READ, repo.url());
    return new FlakyTests(
        repo.id(),
        repo.url(),
        tests.ofRepo(RegisteredRepo.key(repo.url()), max).stream()
            .map(FlakyTestsController::listed)
            .toList());
  }

  private static Listed listed(FlakyTestRepository.FlakyTest test) {
    return new Listed(
        test.gate(),
        test.suite(),
        test.name(),
        test.timesFlaky(),
        test.firstSeenAt(),
        new LastSeen(
            test.lastRunId(),
            ApiPaths.run(test.lastRunId()),
            test.lastFailedRunId(),
            test.lastSeenAt()));
  }

  private static long repoId(String raw) {
    if (raw != null && raw.matches("[0-9]{1,18}")) {
      return Long.parseLong(raw);
    }
    throw ApiException.badRequest("repository id \"" + raw + "\" is not a positive integer");
  }
}
