package dev.kiln.api.runs;

import dev.kiln.api.auth.Access;
import dev.kiln.api.auth.Caller;
import dev.kiln.api.auth.Scope;
import dev.kiln.api.web.ApiException;
import org.springframework.stereotype.Component;

/** Whether the request's caller may act on one run: the scope, on the run's repository. */
@Component
public class RunAccess {

  private final RunRepository runs;
  private final Access access;

  public RunAccess(RunRepository runs, Access access) {
    this.runs = runs;
    this.access = access;
  }

  /**
   * @throws ApiException 403 naming the scope or the repository; 404 for an unknown run (only to a
   *     caller that has the scope)
   */
  public Caller require(Scope scope, long runId) {
    access.require(scope);
    String repo = runs.repoOf(runId).orElseThrow(() -> ApiException.runNotFound(runId));
    return access.require(scope, repo);
  }
}
