package dev.kiln.api.auth;

import java.util.EnumSet;
import java.util.Set;

/**
 * Who sent a request: an API token, or (on the dev stack) a client on this machine trusted without
 * one. Run views record {@link #name()} as {@code triggered_by} and {@code cancelled_by}.
 *
 * @param name the token's name, or {@value #LOOPBACK}
 * @param tokenId the token's id; {@code null} for the loopback caller, which has no per-token
 *     limits
 * @param scopes what the caller may do; {@code admin} implies the rest
 * @param repos the repositories it may do it on
 */
public record Caller(String name, Long tokenId, Set<Scope> scopes, RepoPatterns repos) {

  /** The name of a request trusted because it came from this machine (dev stack only). */
  public static final String LOOPBACK = "loopback";

  private static final Caller LOOPBACK_CALLER =
      new Caller(LOOPBACK, null, EnumSet.allOf(Scope.class), RepoPatterns.any());

  public Caller {
    scopes = scopes.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(scopes));
  }

  public static Caller loopback() {
    return LOOPBACK_CALLER;
  }

  public boolean isLoopback() {
    return tokenId == null;
  }

  public boolean has(Scope scope) {
    return scopes.contains(scope) || scopes.contains(Scope.ADMIN);
  }

  public boolean mayAccess(String repo) {
    return repos.matches(repo);
  }

  /** Every scope the caller holds, {@code admin}'s included. */
  public Set<Scope> effectiveScopes() {
    return scopes.contains(Scope.ADMIN) ? EnumSet.allOf(Scope.class) : scopes;
  }
}
