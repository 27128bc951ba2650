package dev.kiln.api.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.kiln.api.web.DatabaseUnavailable;
import dev.kiln.api.web.LogSafe;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Service;

/**
 * Makes, finds and ends API tokens. A presented token is looked up by its hash; what was read is
 * kept for {@code kiln.auth.token-cache} (10 s), so the api's most polled reads cost no extra
 * database round trip, and a deleted token stops working on every instance within that time. While
 * the database is away, a token this instance accepted in the last {@link #WHILE_DATABASE_AWAY}
 * still is, so its holders keep reading what the api serves from memory (the finished runs it
 * remembers): nobody can delete a token meanwhile, the deletion needs the database.
 */
@Service
public class ApiTokens {

  private static final Logger log = LoggerFactory.getLogger(ApiTokens.class);

  /** {@code last_used_at} is written at most this often per token. */
  static final Duration TOUCH_INTERVAL = Duration.ofMinutes(1);

  static final int CACHE_SIZE = 10_000;

  /** How long a token accepted once is still accepted while the database cannot be asked. */
  static final Duration WHILE_DATABASE_AWAY = Duration.ofMinutes(10);

  private final TokenStore store;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final Cache<String, Optional<Found>> byHash;
  private final Cache<String, Found> lastAccepted =
      Caffeine.newBuilder().maximumSize(CACHE_SIZE).expireAfterWrite(WHILE_DATABASE_AWAY).build();

  /** A token as read, with its caller made once for all the requests it authenticates. */
  private record Found(StoredToken token, Caller caller) {}

  private final Map<Long, Instant> touched = new ConcurrentHashMap<>();

  @Autowired
  public ApiTokens(TokenStore store, AuthProperties properties) {
    this(store, properties, Clock.systemUTC());
  }

  ApiTokens(TokenStore store, AuthProperties properties, Clock clock) {
    this.store = store;
    this.clock = clock;
    this.byHash =
        Caffeine.newBuilder()
            .maximumSize(CACHE_SIZE)
            .expireAfterWrite(properties.tokenCache())
            .build();
  }

  /** A token just made: the only time its secret is known. */
  public record Created(StoredToken token, String secret) {}

  /**
   * @param expiresAt {@code null}: never
   * @param createdBy the creator's name, for the record
   * @throws org.springframework.dao.DuplicateKeyException when a live token has the name
   */
  public Created create(
      String name, Set<Scope> scopes, RepoPatterns repos, Instant expiresAt, String createdBy) {
    String secret = TokenSecrets.generate(random);
    StoredToken token =
        store.insert(
            new TokenStore.NewToken(
                name, TokenSecrets.hash(secret), scopes, repos, expiresAt, createdBy));
    log.info(
        "token {} (\"{}\", scopes {}, repositories {}) made by {}",
        token.id(),
        LogSafe.escape(name),
        scopes,
        LogSafe.escape(repos.toString()),
        LogSafe.escape(createdBy));
    return new Created(token, secret);
  }

  /**
   * The installation's first admin token, unless one was ever made.
   *
   * @return empty when one exists already
   */
  public Optional<Created> createBootstrap() {
    String secret = TokenSecrets.generate(random);
    return store
        .insertBootstrap(
            new TokenStore.NewToken(
                "admin (first start)",
                TokenSecrets.hash(secret),
                Set.of(Scope.ADMIN),
                RepoPatterns.any(),
                null,
                "bootstrap"))
        .map(token -> new Created(token, secret));
  }

  /** Why a presented token was refused; the text goes to the client. */
  public sealed interface Verdict {
    record Accepted(Caller caller) implements Verdict {}

    record Refused(String reason) implements Verdict {}
  }

  public Verdict authenticate(String presented) {
    if (!TokenSecrets.wellFormed(presented)) {
      return new Verdict.Refused("not a Kiln API token (kiln_ followed by 43 letters and digits)");
    }
    String hash = TokenSecrets.hash(presented);
    Optional<Found> found;
    boolean databaseAway = false;
    try {
      found = byHash.get(hash, h -> store.findByHash(h).map(t -> new Found(t, t.caller())));
    } catch (RuntimeException e) {
      // while the database is away, OutageAwareDataSource makes this fail at once
      Found accepted = DatabaseUnavailable.isCause(e) ? lastAccepted.getIfPresent(hash) : null;
      if (accepted == null) {
        throw e;
      }
      found = Optional.of(accepted);
      databaseAway = true;
    }
    if (found.isEmpty()) {
      lastAccepted.invalidate(hash);
      return new Verdict.Refused("unknown token");
    }
    StoredToken token = found.get().token();
    Instant now = clock.instant();
    if (token.revokedAt() != null) {
      lastAccepted.invalidate(hash);
      return new Verdict.Refused("token \"" + token.name() + "\" was deleted");
    }
    if (token.expired(now)) {
      lastAccepted.invalidate(hash);
      return new Verdict.Refused("token \"" + token.name() + "\" expired at " + token.expiresAt());
    }
    if (!databaseAway) {
      lastAccepted.put(hash, found.get());
      touch(token.id(), now);
    }
    return new Verdict.Accepted(found.get().caller());
  }

  private void touch(long id, Instant now) {
    Instant last = touched.get(id);
    if (last != null && last.plus(TOUCH_INTERVAL).isAfter(now)) {
      return;
    }
    touched.put(id, now);
    try {
      store.touch(id);
    } catch (RuntimeException e) {
      // bookkeeping only: the request goes on
      log.debug("could not record the use of token {}: {}", id, e.toString());
    }
  }

  public List<StoredToken> list() {
    return store.list();
  }

  public Optional<StoredToken> find(long id) {
    return store.find(id);
  }

  /**
   * Ends a token: at once on this instance, within {@code kiln.auth.token-cache} on the others.
   *
   * @return false when it was not live
   */
  public boolean revoke(long id, String by) {
    boolean revoked = store.revoke(id);
    byHash.invalidateAll();
    lastAccepted.invalidateAll();
    if (revoked) {
      log.info("token {} deleted by {}", id, LogSafe.escape(by));
    }
    return revoked;
  }
}
