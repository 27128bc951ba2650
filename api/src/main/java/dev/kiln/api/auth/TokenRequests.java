package dev.kiln.api.auth;

import dev.kiln.api.web.ApiException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Checks a {@code POST /tokens} body, naming the field and the rule when it refuses one (400). Also
 * used by {@code kiln-dev.jar token create}, so both accept the same.
 */
public final class TokenRequests {

  public static final int MAX_NAME = 100;
  public static final int MAX_REPOS = 100;
  public static final int MAX_DAYS = 3650;

  private TokenRequests() {}

  /** A checked request for a token. */
  public record Checked(String name, Set<Scope> scopes, RepoPatterns repos, Instant expiresAt) {}

  public static Checked check(
      String name,
      List<String> scopes,
      List<String> repos,
      String expiresAt,
      Integer expiresInDays,
      Duration defaultLifetime,
      Clock clock) {
    return new Checked(
        name(name),
        scopes(scopes),
        repos(repos),
        expiry(expiresAt, expiresInDays, defaultLifetime, clock));
  }

  static String name(String name) {
    if (name == null || name.isBlank()) {
      throw ApiException.badRequest("name is required: who or what uses the token (\"ci\")");
    }
    String trimmed = name.strip();
    if (trimmed.codePointCount(0, trimmed.length()) > MAX_NAME) {
      throw ApiException.badRequest("name: at most " + MAX_NAME + " characters");
    }
    if (trimmed.codePoints().anyMatch(Character::isISOControl)) {
      throw ApiException.badRequest("name: must not contain control characters");
    }
    return trimmed;
  }

  static Set<Scope> scopes(List<String> scopes) {
    if (scopes == null || scopes.isEmpty()) {
      throw ApiException.badRequest("scopes: name at least one of " + Scope.wireNames());
    }
    Set<Scope> parsed = EnumSet.noneOf(Scope.class);
    for (int i = 0; i < scopes.size(); i++) {
      String raw = scopes.get(i);
      int index = i;
      parsed.add(
          Scope.fromWireName(raw == null ? "" : raw.strip())
              .orElseThrow(
                  () ->
                      ApiException.badRequest(
                          "scopes["
                              + index
                              + "]: \""
                              + raw
                              + "\" is not one of "
                              + Scope.wireNames())));
    }
    return parsed;
  }

  static RepoPatterns repos(List<String> repos) {
    if (repos != null && repos.size() > MAX_REPOS) {
      throw ApiException.badRequest("repos: at most " + MAX_REPOS + " patterns");
    }
    try {
      return RepoPatterns.of(
          repos == null ? List.of() : repos.stream().map(String::strip).toList());
    } catch (IllegalArgumentException | NullPointerException e) {
      throw ApiException.badRequest(
          "repos: " + (e.getMessage() == null ? "a pattern must be a string" : e.getMessage()));
    }
  }

  static Instant expiry(
      String expiresAt, Integer expiresInDays, Duration defaultLifetime, Clock clock) {
    Instant now = clock.instant();
    if (expiresAt != null && expiresInDays != null) {
      throw ApiException.badRequest("give expires_at or expires_in_days, not both");
    }
    if (expiresAt != null) {
      Instant at;
      try {
        at = OffsetDateTime.parse(expiresAt.strip()).toInstant();
      } catch (DateTimeParseException e) {
        throw ApiException.badRequest(
            "expires_at: \""
                + expiresAt
                + "\" is not an RFC 3339 timestamp such as 2027-01-31T00:00:00Z");
      }
      if (!at.isAfter(now)) {
        throw ApiException.badRequest("expires_at: " + at + " is not in the future");
      }
      return at;
    }
    if (expiresInDays != null) {
      if (expiresInDays < 0 || expiresInDays > MAX_DAYS) {
        throw ApiException.badRequest(
            "expires_in_days: must be 0 (never) to " + MAX_DAYS + ", got " + expiresInDays);
      }
      return expiresInDays == 0 ? null : now.plus(Duration.ofDays(expiresInDays));
    }
    return defaultLifetime.isZero() ? null : now.plus(defaultLifetime);
  }
}
