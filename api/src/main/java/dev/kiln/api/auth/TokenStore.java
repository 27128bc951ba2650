package dev.kiln.api.auth;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code api_tokens} table. */
@Repository
public class TokenStore {

  private static final String COLUMNS =
      """
      id, name, scopes, repos, created_at, created_by, expires_at, revoked_at, last_used_at,
      bootstrap
      """;

  private final JdbcClient jdbc;

  public TokenStore(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** A token to record; its secret is known only as {@code hash}. */
  public record NewToken(
      String name,
      String hash,
      Set<Scope> scopes,
      RepoPatterns repos,
      Instant expiresAt,
      String createdBy) {}

  /**
   * @return the new row
   * @throws org.springframework.dao.DuplicateKeyException when a live token has the name
   */
  public StoredToken insert(NewToken token) {
    return insert(token, false).orElseThrow();
  }

  /**
   * Records the installation's first admin token, unless one was ever made: replicas starting
   * together race on a unique index, and one wins.
   *
   * @return the new row, or empty when a bootstrap token exists already
   */
  public Optional<StoredToken> insertBootstrap(NewToken token) {
    return insert(token, true);
  }

  private Optional<StoredToken> insert(NewToken token, boolean bootstrap) {
    String conflict = bootstrap ? " ON CONFLICT ((true)) WHERE bootstrap DO NOTHING" : "";
    return jdbc.sql(
            """
            INSERT INTO api_tokens (name, token_hash, scopes, repos, expires_at, created_by,
                                    bootstrap)
            VALUES (:name, :hash, :scopes, :repos, :expiresAt, :createdBy, :bootstrap)
            """
                + conflict
                + " RETURNING "
                + COLUMNS)
        .param("name", token.name())
        .param("hash", token.hash())
        .param("scopes", token.scopes().stream().map(Scope::wireName).toArray(String[]::new))
        .param("repos", token.repos().patterns().toArray(String[]::new))
        .param("expiresAt", timestamp(token.expiresAt()), java.sql.Types.TIMESTAMP_WITH_TIMEZONE)
        .param("createdBy", token.createdBy())
        .param("bootstrap", bootstrap)
        .query(TokenStore::map)
        .optional();
  }

  public Optional<StoredToken> findByHash(String hash) {
    return jdbc.sql("SELECT " + COLUMNS + " FROM api_tokens WHERE token_hash = :hash")
        .param("hash", hash)
        .query(TokenStore::map)
        .optional();
  }

  public Optional<StoredToken> find(long id) {
    return jdbc.sql("SELECT " + COLUMNS + " FROM api_tokens WHERE id = :id")
        .param("id", id)
        .query(TokenStore::map)
        .optional();
  }

  /** Every token, live and revoked, newest first. */
  public List<StoredToken> list() {
    return jdbc.sql("SELECT " + COLUMNS + " FROM api_tokens ORDER BY id DESC")
        .query(TokenStore::map)
        .list();
  }

  /**
   * @return whether a live token was revoked now; false when it was revoked already or is unknown
   */
  public boolean revoke(long id) {
    return jdbc.sql(
                "UPDATE api_tokens SET revoked_at = now() WHERE id = :id AND revoked_at IS NULL")
            .param("id", id)
            .update()
        == 1;
  }

  public void touch(long id) {
    jdbc.sql("UPDATE api_tokens SET last_used_at = now() WHERE id = :id").param("id", id).update();
  }

  private static StoredToken map(ResultSet rs, int row) throws SQLException {
    return new StoredToken(
        rs.getLong("id"),
        rs.getString("name"),
        scopes(strings(rs.getArray("scopes"))),
        RepoPatterns.of(strings(rs.getArray("repos"))),
        instant(rs, "created_at"),
        rs.getString("created_by"),
        instant(rs, "expires_at"),
        instant(rs, "revoked_at"),
        instant(rs, "last_used_at"),
        rs.getBoolean("bootstrap"));
  }

  private static Set<Scope> scopes(List<String> names) {
    Set<Scope> scopes = EnumSet.noneOf(Scope.class);
    // a scope this version does not know (written by a newer api) grants nothing here
    names.forEach(name -> Scope.fromWireName(name).ifPresent(scopes::add));
    return scopes;
  }

  private static OffsetDateTime timestamp(Instant instant) {
    return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    Timestamp value = rs.getTimestamp(column);
    return value == null ? null : value.toInstant();
  }

  private static List<String> strings(Array array) throws SQLException {
    if (array == null) {
      return List.of();
    }
    try {
      return new ArrayList<>(List.of((String[]) array.getArray()));
    } finally {
      array.free();
    }
  }
}
