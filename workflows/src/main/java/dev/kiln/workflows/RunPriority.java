package dev.kiln.workflows;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * How urgent a run is: {@code low|normal|high|urgent}, Temporal priority keys 4..1 (1 is served
 * first). The api sets it on a run started alone, the lane on the runs it starts.
 */
public enum RunPriority {
  URGENT(1),
  HIGH(2),
  NORMAL(3),
  LOW(4);

  private final int temporalKey;

  RunPriority(int temporalKey) {
    this.temporalKey = temporalKey;
  }

  public int temporalKey() {
    return temporalKey;
  }

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The Temporal priority key of a priority as a request spells it: an unknown or absent one is
   * {@link #NORMAL}'s (the api refuses unknown ones before they get here).
   */
  public static int temporalKeyOf(String wireName) {
    return fromWireName(wireName).orElse(NORMAL).temporalKey();
  }

  public static Optional<RunPriority> fromWireName(String name) {
    return Arrays.stream(values()).filter(p -> p.wireName().equals(name)).findFirst();
  }

  /** "low, normal, high, urgent", for error messages. */
  public static String wireNames() {
    return Arrays.stream(values())
        .sorted((a, b) -> b.temporalKey - a.temporalKey)
        .map(RunPriority::wireName)
        .collect(Collectors.joining(", "));
  }
}
