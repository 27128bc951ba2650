package dev.kiln.api.runs;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** How urgent a run is; maps onto Temporal priority keys (1 is served first). */
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
