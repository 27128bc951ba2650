package dev.kiln.api.auth;

import java.time.Instant;
import java.util.List;

/** The wire forms of {@code /tokens}. */
final class TokenBodies {

  private TokenBodies() {}

  /**
   * {@code POST /tokens}.
   *
   * @param scopes {@code read}, {@code trigger}, {@code cancel}, {@code urgent}, {@code metrics},
   *     {@code admin}
   * @param repos repository URL patterns ({@code *} within a path segment, {@code **} across);
   *     absent or empty: every repository
   * @param expiresAt when it stops working (RFC 3339)
   * @param expiresInDays or: days from now; {@code 0}: never. Neither: {@code
   *     kiln.auth.token-lifetime} (90 days)
   */
  record Create(
      String name,
      List<String> scopes,
      List<String> repos,
      String expiresAt,
      Integer expiresInDays) {}

  /**
   * One token as {@code GET /tokens} lists it: never its secret.
   *
   * @param status {@code live}, {@code expired} or {@code deleted}
   */
  record Listed(
      long id,
      String name,
      List<String> scopes,
      List<String> repos,
      String status,
      Instant createdAt,
      String createdBy,
      Instant expiresAt,
      Instant deletedAt,
      Instant lastUsedAt,
      String url) {}

  /**
   * The answer to {@code POST /tokens}: the only time the secret is shown.
   *
   * @param token the secret, {@code kiln_…}: send it as {@code Authorization: Bearer <token>}
   */
  record Created(
      long id,
      String name,
      String token,
      List<String> scopes,
      List<String> repos,
      Instant createdAt,
      String createdBy,
      Instant expiresAt,
      String url) {}

  record TokenList(List<Listed> tokens) {}
}
