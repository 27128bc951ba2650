package dev.kiln.workflows.secrets;

import dev.kiln.workflows.plan.StepVariableNames;
import java.util.Optional;

/**
 * What a build secret may be called: a step's variable ({@link StepVariableNames}), since that is
 * how a step gets it, of a bounded length. The api checks the names it stores, the kiln.yaml parser
 * the names a step asks for, with this one rule.
 */
public final class SecretNames {

  /** Longer names are typos or abuse; the api keeps names in an indexed column. */
  public static final int MAX_LENGTH = 100;

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
    return StepVariableNames.problem(name);
  }
}
