package dev.kiln.api.web;

/** Every path the api serves, in one place, so controllers, links and filters cannot drift. */
public final class ApiPaths {

  public static final String REBUILD = "/rebuild";
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
  public static final String TOKENS = "/tokens";
  public static final String TOKEN = "/tokens/{id}";
  public static final String REPOS = "/repos";
  public static final String REPO = "/repos/{id}";
  public static final String HOOKS = "/hooks";
  public static final String HOOK_GITHUB = HOOKS + "/github";
  public static final String HOOK_GITLAB = HOOKS + "/gitlab";
  public static final String HOOK_GITEA = HOOKS + "/gitea";

  public static final String INTERNAL = "/internal";
  public static final String INTERNAL_RUN = INTERNAL + "/runs/{id}";
  public static final String INTERNAL_PHASE = INTERNAL_RUN + "/phase";
  public static final String INTERNAL_RESOLVED = INTERNAL_RUN + "/resolved";
  public static final String INTERNAL_GATE = INTERNAL_RUN + "/gates/{name}";
  public static final String INTERNAL_GATE_TESTS = INTERNAL_GATE + "/tests";
  public static final String INTERNAL_FINISH = INTERNAL_RUN + "/finish";
  public static final String INTERNAL_SUPERSEDE = INTERNAL_RUN + "/supersede";
  public static final String INTERNAL_RESTARTED = INTERNAL_RUN + "/restarted";
  public static final String INTERNAL_SANDBOX = INTERNAL_RUN + "/sandbox";
  public static final String INTERNAL_USAGE = INTERNAL_RUN + "/usage";
  public static final String INTERNAL_LOGS = INTERNAL_RUN + "/logs";
  public static final String INTERNAL_ARTIFACTS = INTERNAL_RUN + "/artifacts";
  public static final String INTERNAL_HOST = INTERNAL + "/hosts/{host}";
  public static final String INTERNAL_ARCH_SERVED = INTERNAL + "/archs/{arch}/served";
  public static final String INTERNAL_RETENTION = INTERNAL + "/retention";

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
