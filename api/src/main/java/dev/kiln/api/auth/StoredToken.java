package dev.kiln.api.auth;

import java.time.Instant;
import java.util.Set;

/**
 * A row of {@code api_tokens}: everything about a token but its secret.
 *
 * @param expiresAt {@code null}: never
 * @param revokedAt when {@code DELETE /tokens/{id}} ended it; {@code null} while it is live
 * @param lastUsedAt when it last authenticated a request, to the minute
 * @param bootstrap the installation's first admin token, made by the api itself
 */
public record StoredToken(
    long id,
    String name,
    Set<Scope> scopes,
    RepoPatterns repos,
    Instant createdAt,
    String createdBy,
    Instant expiresAt,
    Instant revokedAt,
    Instant lastUsedAt,
    boolean bootstrap) {

  public boolean expired(Instant now) {
    return expiresAt != null && !now.isBefore(expiresAt);
  }

  public Caller caller() {
    return new Caller(name, id, scopes, repos);
  }
}
