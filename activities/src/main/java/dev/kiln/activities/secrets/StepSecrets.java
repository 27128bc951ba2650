package dev.kiln.activities.secrets;

import java.util.Map;

/**
 * The secrets one step gets: its environment variables and the mask for its output. Its {@code
 * toString} names the variables only, so the values cannot reach a log line by accident.
 */
public final class StepSecrets {

  public static final StepSecrets NONE = new StepSecrets(Map.of());

  private final Map<String, String> values;
  private final SecretMask mask;

  public StepSecrets(Map<String, String> values) {
    this.values = Map.copyOf(values);
    this.mask = SecretMask.of(this.values.values());
  }

  /** Name to value, for the step's environment. */
  public Map<String, String> environment() {
    return values;
  }

  public SecretMask mask() {
    return mask;
  }

  @Override
  public String toString() {
    return "StepSecrets" + values.keySet();
  }
}
