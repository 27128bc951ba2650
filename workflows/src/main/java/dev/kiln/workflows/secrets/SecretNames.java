package dev.kiln.workflows.secrets;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a build secret may be called: an environment variable's name, since that is how a step gets
 * it. The api checks the names it stores, the kiln.yaml parser the names a step asks for, with this
 * one rule.
 */
public final class SecretNames {

  /** Longer names are typos or abuse; the api keeps names in an indexed column. */
  public static final int MAX_LENGTH = 100;

  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  // The runner sets KILN_RUN_ID, KILN_SHA, …: a secret of that name would be overwritten.
  private static final String RESERVED_PREFIX = "KILN_";

  private SecretNames() {}

  /**
   * @return why {@code name} cannot name a secret ("must …"), or empty when it can
   */
  public static Optional<String> problem(String name) {
    if (name == null || name.isEmpty()) {
      return Optional.of("must not be empty");
    }
    if (name.length() > MAX_LENGTH) {
      return Optional.of("is " + name.length() + " characters; at most " + MAX_LENGTH);
    }
    if (!NAME.matcher(name).matches()) {
      return Optional.of(
          "must be an environment variable name: letters, digits and _, not starting with a"
              + " digit");
    }
    if (name.startsWith(RESERVED_PREFIX)) {
      return Optional.of("must not start with KILN_: those names are reserved for Kiln");
    }
    return Optional.empty();
  }
}
