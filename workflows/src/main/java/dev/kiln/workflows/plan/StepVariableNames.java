package dev.kiln.workflows.plan;

import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which names a variable a repository gives its build steps may have: a kiln.yaml {@code env} entry
 * or a build secret. The kiln.yaml parser, the api that stores secrets and the runner that builds a
 * step's environment check names with this one rule.
 *
 * <p>A step's environment is also the environment of the few programs that start it outside its
 * sandbox (setsid, the shell that joins its cgroups, bwrap): whatever the dynamic loader or the C
 * library of those programs reads from it is refused, or a repository could have them load its own
 * code as the worker's user ({@code LD_PRELOAD: ./x.so}) before any isolation is in place. The
 * names are those glibc itself ignores when it starts a program across a privilege boundary (its
 * {@code unsecvars.h}), every {@code LD_} name, less {@code TMPDIR}, which the sandbox sets for
 * each step and none of those programs reads; and where {@code /bin/sh} is bash, the options it
 * takes from its environment ({@code SHELLOPTS}, {@code BASHOPTS}) and {@code PS4}, which with
 * {@code xtrace} it expands, command substitutions included.
 */
public final class StepVariableNames {

  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  // The runner sets KILN_RUN_ID, KILN_SHA, …: a variable of that name would be overwritten.
  private static final String RESERVED_PREFIX = "KILN_";

  private static final String LOADER_PREFIX = "LD_";

  private static final Set<String> READ_BEFORE_THE_SANDBOX =
      Set.of(
          "GCONV_PATH",
          "GETCONF_DIR",
          "GLIBC_TUNABLES",
          "HOSTALIASES",
          "LOCALDOMAIN",
          "LOCPATH",
          "MALLOC_TRACE",
          "NIS_PATH",
          "NLSPATH",
          "RESOLV_HOST_CONF",
          "RES_OPTIONS",
          "TZDIR");

  private static final Set<String> READ_BY_A_BASH_SH = Set.of("SHELLOPTS", "BASHOPTS", "PS4");

  private StepVariableNames() {}

  /**
   * @return why {@code name} cannot name a step's variable (a phrase starting "must" or "is"), or
   *     empty when it can
   */
  public static Optional<String> problem(String name) {
    if (name == null || name.isEmpty()) {
      return Optional.of("must not be empty");
    }
    if (!isVariableName(name)) {
      return Optional.of(
          "must be an environment variable name: letters, digits and _, not starting with a"
              + " digit");
    }
    if (name.startsWith(RESERVED_PREFIX)) {
      return Optional.of("must not start with KILN_: those names are reserved for Kiln");
    }
    if (READ_BY_A_BASH_SH.contains(name)) {
      return Optional.of(
          "is read by the shell that starts a step outside its sandbox where /bin/sh is bash, so a"
              + " build may not set it");
    }
    if (name.startsWith(LOADER_PREFIX) || READ_BEFORE_THE_SANDBOX.contains(name)) {
      return Optional.of(
          "is read by the dynamic loader or the C library of the programs that start a step"
              + " outside its sandbox, so a build may not set it");
    }
    return Optional.empty();
  }

  /**
   * Whether {@code name} is a shell variable's: letters, digits and _, not starting with a digit.
   */
  public static boolean isVariableName(String name) {
    return NAME.matcher(name).matches();
  }

  /** Whether the programs that start a step read {@code name} before its sandbox is in place. */
  public static boolean readBeforeTheSandbox(String name) {
    return name.startsWith(LOADER_PREFIX)
        || READ_BEFORE_THE_SANDBOX.contains(name)
        || READ_BY_A_BASH_SH.contains(name);
  }
}
