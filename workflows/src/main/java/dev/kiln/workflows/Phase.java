package dev.kiln.workflows;

import java.util.Locale;

/** Where a run is. The api and the Web UI show the lower-case name. */
public enum Phase {
  QUEUED,
  FETCHING,
  COMPILING,
  STAGING,
  GATING,
  DONE;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Phase fromWireName(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }
}
