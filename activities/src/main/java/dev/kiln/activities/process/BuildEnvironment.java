package dev.kiln.activities.process;

import dev.kiln.workflows.activities.RunContext;
import dev.kiln.workflows.plan.StepVariableNames;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The complete environment of a build command. A build runs untrusted repository code, so it starts
 * from nothing rather than from the worker's environment: the worker's token, proxy passwords in
 * {@code MAVEN_OPTS} or {@code HTTPS_PROXY}, cloud credentials — none of it may reach the build.
 * Four layers, later ones winning:
 *
 * <ol>
 *   <li>{@link #INHERITED}: the few worker variables tools need to find themselves, copied only if
 *       set; plus {@code LANG=C.UTF-8} when the worker has no locale, {@code CI=true} and {@code
 *       KILN=true} (what tools expect under Buildkite, GitHub Actions or GitLab CI);
 *   <li>what the sandbox sets ({@code HOME}, {@code TMPDIR}, the dependency caches' locations),
 *       replacing the worker's values, which point at places the sandbox hides;
 *   <li>the plan's {@code env} from {@code kiln.yaml}, taken literally ({@code $VAR} is not
 *       expanded, so {@code PATH: ...} replaces the worker's PATH);
 *   <li>the run's {@code KILN_*} variables, which a plan cannot override: they are facts.
 * </ol>
 */
public final class BuildEnvironment {

  /**
   * Worker variables passed through when set. Deliberately short and free of anything that may
   * carry credentials; a plan that needs a proxy sets it in its own {@code env}.
   */
  public static final List<String> INHERITED =
      List.of(
          "PATH",
          "HOME",
          "USER",
          "LOGNAME",
          "LANG",
          "LC_ALL",
          "TZ",
          "TERM",
          "TMPDIR",
          "JAVA_HOME",
          "GRADLE_USER_HOME",
          "GOROOT",
          "GOPATH",
          "GOCACHE",
          "GOMODCACHE",
          "CARGO_HOME",
          "RUSTUP_HOME",
          // Hosts behind a TLS-inspecting proxy need their CA bundle to download dependencies.
          "SSL_CERT_FILE",
          "SSL_CERT_DIR");

  private BuildEnvironment() {}

  /**
   * The environment for a command of {@code run}.
   *
   * @param parent the worker's environment, usually {@code System.getenv()}
   * @param cpus the value of {@code KILN_CPUS}: how many parallel jobs the build should use
   * @param planEnv the plan's extra variables
   * @throws IllegalArgumentException if a plan variable name is not a valid shell name
   */
  public static Map<String, String> forRun(
      Map<String, String> parent, RunContext run, int cpus, Map<String, String> planEnv) {
    return forRun(parent, run, cpus, Map.of(), planEnv);
  }

  /**
   * The environment for a command of {@code run} in a sandbox.
   *
   * @param sandboxEnv what the sandbox sets, over the inherited variables and under the plan's
   */
  public static Map<String, String> forRun(
      Map<String, String> parent,
      RunContext run,
      int cpus,
      Map<String, String> sandboxEnv,
      Map<String, String> planEnv) {
    Map<String, String> env = new TreeMap<>(inherited(parent));
    env.putAll(sandboxEnv);
    planEnv.forEach(
        (name, value) -> {
          if (!StepVariableNames.isVariableName(name)) {
            throw new IllegalArgumentException("invalid environment variable name: '" + name + "'");
          }
          // The parser and the api refuse these already; a plan or secret from elsewhere must not
          // reach setsid, the cgroup-joining shell and bwrap with them either.
          if (StepVariableNames.readBeforeTheSandbox(name)) {
            throw new IllegalArgumentException(
                "'" + name + "' " + StepVariableNames.problem(name).orElseThrow());
          }
          env.put(name, value);
        });
    env.putAll(kilnVariables(run, cpus));
    return env;
  }

  /** The scrubbed base: {@link #INHERITED} variables present in {@code parent}, plus defaults. */
  public static Map<String, String> inherited(Map<String, String> parent) {
    Map<String, String> env = new TreeMap<>();
    for (String name : INHERITED) {
      String value = parent.get(name);
      if (value != null) {
        env.put(name, value);
      }
    }
    // Without a locale, compilers print non-ASCII (quotes in gcc messages, file names) as '?'.
    env.putIfAbsent("LANG", "C.UTF-8");
    env.put("CI", "true");
    env.put("KILN", "true");
    return env;
  }

  /**
   * The {@code KILN_*} variables. {@code KILN_ARGS} joins the arguments with single spaces, meant
   * for unquoted expansion ({@code make $KILN_ARGS}); an argument containing spaces does not
   * survive that word splitting, so don't pass one.
   */
  public static Map<String, String> kilnVariables(RunContext run, int cpus) {
    if (cpus < 1) {
      throw new IllegalArgumentException("cpus must be at least 1: " + cpus);
    }
    Map<String, String> vars = new LinkedHashMap<>();
    vars.put("KILN_RUN_ID", Long.toString(run.runId()));
    vars.put("KILN_SHA", nullToEmpty(run.sha()));
    vars.put("KILN_ARCH", nullToEmpty(run.arch()));
    vars.put("KILN_TARGET", nullToEmpty(run.target()));
    vars.put("KILN_ARGS", String.join(" ", run.args()));
    vars.put("KILN_CPUS", Integer.toString(cpus));
    return vars;
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
