package dev.kiln.workflows.internal;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The paths of {@code /internal} (docs/internal-api.md): the patterns the api's controllers map,
 * and the builders the worker's client calls them with, side by side so that neither can move
 * without the other.
 */
public final class InternalPaths {

  public static final String INTERNAL = "/internal";
  public static final String RUN = INTERNAL + "/runs/{id}";
  public static final String PHASE = RUN + "/phase";
  public static final String RESOLVED = RUN + "/resolved";
  public static final String GATE = RUN + "/gates/{name}";
  public static final String GATE_TESTS = GATE + "/tests";
  public static final String FINISH = RUN + "/finish";
  public static final String SUPERSEDE = RUN + "/supersede";
  public static final String RESTARTED = RUN + "/restarted";
  public static final String REQUIRES = RUN + "/requires";
  public static final String ATTEMPT = RUN + "/attempt";
  public static final String SANDBOX = RUN + "/sandbox";
  public static final String USAGE = RUN + "/usage";
  public static final String LOGS = RUN + "/logs";
  public static final String ARTIFACTS = RUN + "/artifacts";
  public static final String SECRETS = RUN + "/secrets";
  public static final String SUBMISSION = RUN + "/submission";
  public static final String HOST = INTERNAL + "/hosts/{host}";
  public static final String ARCH_SERVED = INTERNAL + "/archs/{arch}/served";
  public static final String RETENTION = INTERNAL + "/retention";
  public static final String REPO_HEADS = INTERNAL + "/repos/{id}/heads";

  private InternalPaths() {}

  public static String phase(long runId) {
    return run(runId) + "/phase";
  }

  public static String resolved(long runId) {
    return run(runId) + "/resolved";
  }

  /** {@code gate} goes into the path as it is; the api checks it as a name (400 otherwise). */
  public static String gate(long runId, String gate) {
    return run(runId) + "/gates/" + gate;
  }

  public static String gateTests(long runId, String gate) {
    return gate(runId, gate) + "/tests";
  }

  public static String finish(long runId) {
    return run(runId) + "/finish";
  }

  public static String supersede(long runId) {
    return run(runId) + "/supersede";
  }

  public static String restarted(long runId) {
    return run(runId) + "/restarted";
  }

  /** {@code POST}: labels the run's kiln.yaml requires of its build host. */
  public static String requires(long runId) {
    return run(runId) + "/requires";
  }

  /** {@code POST}: a new host attempt of the run begins; writes of earlier ones are refused. */
  public static String attempt(long runId) {
    return run(runId) + "/attempt";
  }

  public static String sandbox(long runId) {
    return run(runId) + "/sandbox";
  }

  public static String usage(long runId) {
    return run(runId) + "/usage";
  }

  public static String logs(long runId) {
    return run(runId) + "/logs";
  }

  /** {@code POST}: the values of the secrets a step of the run names. */
  public static String secrets(long runId) {
    return run(runId) + "/secrets";
  }

  /** {@code PUT …/artifacts?path=…}: {@code relativePath} is query-encoded. */
  public static String artifact(long runId, String relativePath) {
    return run(runId)
        + "/artifacts?path="
        + URLEncoder.encode(relativePath, StandardCharsets.UTF_8);
  }

  /** {@code GET}: the git bundle a local submission uploaded for the run. */
  public static String submission(long runId) {
    return run(runId) + "/submission";
  }

  /** {@code host} goes into the path as it is; the api checks it as a name (400 otherwise). */
  public static String host(String host) {
    return INTERNAL + "/hosts/" + host;
  }

  public static String archServed(String arch) {
    return INTERNAL + "/archs/" + URLEncoder.encode(arch, StandardCharsets.UTF_8) + "/served";
  }

  /** Whether a live host of {@code arch} has every one of {@code labels}. */
  public static String archServed(String arch, java.util.List<String> labels) {
    return archServed(arch)
        + "?labels="
        + URLEncoder.encode(String.join(",", labels), StandardCharsets.UTF_8);
  }

  public static String retention() {
    return RETENTION;
  }

  public static String repoHeads(long repoId) {
    return INTERNAL + "/repos/" + repoId + "/heads";
  }

  private static String run(long runId) {
    return INTERNAL + "/runs/" + runId;
  }
}
