package dev.kiln.workflows;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What a newer request of a lane does to the lane's older ones. A registered repository chooses one
 * per branch pattern ({@code main} on {@code queue}, so a deployment build is never cut short).
 */
public enum SupersedePolicy {
  /** The default: a newer request cancels the running build; waiting requests coalesce. */
  CANCEL_RUNNING,
  /** The running build finishes; of the requests waiting behind it only the newest builds. */
  REPLACE_PENDING,
  /** Every request builds, one after another, in the order they came; none is cut short. */
  QUEUE;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The policy a request spells; absent ({@code null}) is {@link #CANCEL_RUNNING}. */
  public static SupersedePolicy fromWireName(String name) {
    if (name == null) {
      return CANCEL_RUNNING;
    }
    return parse(name)
        .orElseThrow(() -> new IllegalArgumentException("unknown supersede policy: " + name));
  }

  public static Optional<SupersedePolicy> parse(String name) {
    return Arrays.stream(values()).filter(p -> p.wireName().equals(name)).findFirst();
  }

  /** "cancel-running, replace-pending, queue", for error messages. */
  public static String wireNames() {
    return Arrays.stream(values()).map(SupersedePolicy::wireName).collect(Collectors.joining(", "));
  }
}
