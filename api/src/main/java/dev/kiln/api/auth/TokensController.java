package dev.kiln.api.auth;

import dev.kiln.api.web.ApiException;
import dev.kiln.api.web.ApiPaths;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** {@code /tokens}: making, listing and deleting API tokens; {@code admin} only. */
@RestController
@RequiresScope(Scope.ADMIN)
class TokensController {

  private final ApiTokens tokens;
  private final Access access;
  private final AuthProperties properties;
  private final Clock clock = Clock.systemUTC();

  TokensController(ApiTokens tokens, Access access, AuthProperties properties) {
    this.tokens = tokens;
    this.access = access;
    this.properties = properties;
  }

  /** 201 with the token's secret, which is never shown again. */
  @PostMapping(path = ApiPaths.TOKENS, consumes = MediaType.APPLICATION_JSON_VALUE)
  ResponseEntity<TokenBodies.Created> create(@RequestBody TokenBodies.Create body) {
    TokenRequests.Checked checked =
        TokenRequests.check(
            body.name(),
            body.scopes(),
            body.repos(),
            body.expiresAt(),
            body.expiresInDays(),
            properties.tokenLifetime(),
            clock);
    ApiTokens.Created created;
    try {
      created =
          tokens.create(
              checked.name(),
              checked.scopes(),
              checked.repos(),
              checked.expiresAt(),
              access.caller().name());
    } catch (DuplicateKeyException e) {
      throw ApiException.conflict(
          "name: a live token is called \"" + checked.name() + "\" already; pick another name");
    }
    StoredToken token = created.token();
    return ResponseEntity.created(URI.create(ApiPaths.token(token.id())))
        .body(
            new TokenBodies.Created(
                token.id(),
                token.name(),
                created.secret(),
                scopeNames(token),
                token.repos().patterns(),
                token.createdAt(),
                token.createdBy(),
                token.expiresAt(),
                ApiPaths.token(token.id())));
  }

  /** Every token, live, expired and deleted, newest first; never a secret. */
  @GetMapping(ApiPaths.TOKENS)
  TokenBodies.TokenList list() {
    Instant now = clock.instant();
    return new TokenBodies.TokenList(tokens.list().stream().map(t -> listed(t, now)).toList());
  }

  /**
   * 204; the token stops working at once on this api instance and within {@code
   * kiln.auth.token-cache} on the others. Deleting a deleted token is 204 again; an unknown id 404.
   */
  @DeleteMapping(ApiPaths.TOKEN)
  @ResponseStatus(HttpStatus.NO_CONTENT)
  void delete(@PathVariable String id) {
    long tokenId = id(id);
    if (tokens.find(tokenId).isEmpty()) {
      throw ApiException.notFound("token " + tokenId + " does not exist");
    }
    tokens.revoke(tokenId, access.caller().name());
  }

  private static long id(String raw) {
    if (raw != null && raw.matches("[0-9]{1,18}")) {
      return Long.parseLong(raw);
    }
    throw ApiException.badRequest("token id \"" + raw + "\" is not a positive integer");
  }

  private static TokenBodies.Listed listed(StoredToken token, Instant now) {
    String status = token.revokedAt() != null ? "deleted" : token.expired(now) ? "expired" : "live";
    return new TokenBodies.Listed(
        token.id(),
        token.name(),
        scopeNames(token),
        token.repos().patterns(),
        status,
        token.createdAt(),
        token.createdBy(),
        token.expiresAt(),
        token.revokedAt(),
        token.lastUsedAt(),
        ApiPaths.token(token.id()));
  }

  private static List<String> scopeNames(StoredToken token) {
    return token.scopes().stream().map(Scope::wireName).toList();
  }
}
