package dev.kiln.api.secrets;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code repo_secrets} table: sealed values, never plain ones. */
@Repository
class SecretStore {

  private final JdbcClient jdbc;

  SecretStore(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** A secret's name and bookkeeping: what the public API shows of it. */
  record Listed(String name, Instant createdAt, Instant updatedAt, String updatedBy) {}

  /**
   * @return whether the secret is new (false: an existing one was replaced)
   */
  boolean put(long repoId, String name, SecretCipher.Sealed sealed, String by) {
    return jdbc.sql(
            """
            INSERT INTO repo_secrets (repo_id, name, nonce, ciphertext, updated_by)
            VALUES (:repo, :name, :nonce, :ciphertext, :by)
            ON CONFLICT (repo_id, name) DO UPDATE
               SET nonce = excluded.nonce, ciphertext = excluded.ciphertext,
                   updated_at = now(), updated_by = excluded.updated_by
            RETURNING (xmax = 0) AS inserted
            """)
        .param("repo", repoId)
        .param("name", name)
        .param("nonce", sealed.nonce())
        .param("ciphertext", sealed.ciphertext())
        .param("by", by)
        .query((rs, row) -> rs.getBoolean("inserted"))
        .single();
  }

  boolean delete(long repoId, String name) {
    return jdbc.sql("DELETE FROM repo_secrets WHERE repo_id = :repo AND name = :name")
            .param("repo", repoId)
            .param("name", name)
            .update()
        == 1;
  }

  List<Listed> list(long repoId) {
    return jdbc.sql(
            "SELECT name, created_at, updated_at, updated_by FROM repo_secrets"
                + " WHERE repo_id = :repo ORDER BY name")
        .param("repo", repoId)
        .query(
            (rs, row) ->
                new Listed(
                    rs.getString("name"),
                    instant(rs, "created_at"),
                    instant(rs, "updated_at"),
                    rs.getString("updated_by")))
        .list();
  }

  /** The sealed values of those of {@code names} the repository has. */
  Map<String, SecretCipher.Sealed> sealed(long repoId, List<String> names) {
    record Row(String name, SecretCipher.Sealed sealed) {}
    return jdbc
        .sql(
            "SELECT name, nonce, ciphertext FROM repo_secrets"
                + " WHERE repo_id = :repo AND name = ANY(:names)")
        .param("repo", repoId)
        .param("names", names.toArray(String[]::new))
        .query(
            (rs, row) ->
                new Row(
                    rs.getString("name"),
                    new SecretCipher.Sealed(rs.getBytes("nonce"), rs.getBytes("ciphertext"))))
        .list()
        .stream()
        .collect(Collectors.toMap(Row::name, Row::sealed));
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    var value = rs.getTimestamp(column);
    return value == null ? null : value.toInstant();
  }
}
