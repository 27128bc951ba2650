package dev.kiln.api.auth;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What an API token may do. {@code admin} implies every other scope; the others are independent (a
 * token that may trigger cannot read logs unless it also has {@code read}).
 */
public enum Scope {
  /** Run views, logs, artifacts, history, queue status, the OpenAPI document. */
  READ,
  /** {@code POST /rebuild}; a newer rebuild of a lane supersedes its running build. */
  TRIGGER,
  /** {@code PUT /build-jobs/{id}/cancel}. */
  CANCEL,
  /** {@code "priority": "urgent"} on a rebuild, which jumps every queue. */
  URGENT,
  /** Actuator details and Prometheus metrics. */
  METRICS,
  /** Tokens ({@code /tokens}) and everything above. */
  ADMIN;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The Spring Security authority a caller with this scope holds. */
  public String authority() {
    return "ROLE_" + name();
  }

  public static Optional<Scope> fromWireName(String name) {
    return Arrays.stream(values()).filter(s -> s.wireName().equals(name)).findFirst();
  }

  /** "read, trigger, …", for error messages. */
  public static String wireNames() {
    return Arrays.stream(values()).map(Scope::wireName).collect(Collectors.joining(", "));
  }
}
