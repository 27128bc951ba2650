package dev.kiln.api.web;

/**
 * Every public path the api serves, in one place, so controllers, links and filters cannot drift.
 * The worker-facing {@code /internal} paths are part of the contract with the worker: {@code
 * dev.kiln.workflows.internal.InternalPaths}.
 */
public final class ApiPaths {

  /** The runs dashboard, for browsers. */
  public static final String DASHBOARD = "/";

  public static final String REBUILD = "/rebuild";
  public static final String SUBMISSIONS = "/submissions";
  public static final String RUNS = "/runs";
  public static final String RUN = "/runs/{id}";
  public static final String RUN_LOGS = "/runs/{id}/logs";
  public static final String RUN_RETRY = "/runs/{id}/retry";
  public static final String RUN_ARTIFACTS = "/runs/{id}/artifacts";
  public static final String RUN_ARTIFACT = "/runs/{id}/artifacts/{*path}";
  public static final String RUN_TESTS = "/runs/{id}/tests";
  public static final String STATE = "/state";
  public static final String MR_TASK = "/mr-task/{mr}";
  public static final String BUILD_JOB_CANCEL = "/build-jobs/{id}/cancel";
  public static final String QUEUE_STATUS = "/build-jobs/queue/status";
  public static final String WORKERS = "/workers";
  public static final String WORKER_DRAIN = "/workers/{host}/drain";
  public static final String TOKENS = "/tokens";
  public static final String TOKEN = "/tokens/{id}";
  public static final String REPOS = "/repos";
  public static final String REPO = "/repos/{id}";
  public static final String REPO_POLL = REPO + "/poll";
  public static final String REPO_SECRETS = REPO + "/secrets";
  public static final String REPO_SECRET = REPO_SECRETS + "/{name}";
  public static final String REPO_FLAKY_TESTS = REPO + "/flaky-tests";
  public static final String HOOKS = "/hooks";
  public static final String HOOK_GITHUB = HOOKS + "/github";
  public static final String HOOK_GITLAB = HOOKS + "/gitlab";
  public static final String HOOK_GITEA = HOOKS + "/gitea";

  private ApiPaths() {}

  public static String run(long id) {
    return RUNS + "/" + id;
  }

  public static String runLogs(long id) {
    return run(id) + "/logs";
  }

  public static String buildJobCancel(long id) {
    return "/build-jobs/" + id + "/cancel";
  }

  public static String token(long id) {
    return TOKENS + "/" + id;
  }

  public static String runTests(long id) {
    return run(id) + "/tests";
  }

  public static String repo(long id) {
    return REPOS + "/" + id;
  }

  public static String runArtifacts(long id) {
    return run(id) + "/artifacts";
  }
}
