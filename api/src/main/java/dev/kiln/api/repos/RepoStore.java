package dev.kiln.api.repos;

import dev.kiln.workflows.FairQueues;
import dev.kiln.workflows.RunPriority;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** The {@code repos} table. */
@Repository
public class RepoStore {

  private static final String COLUMNS =
      """
      id, url, branches, archs, default_priority, webhook_secret, poll_interval_s, notify,
      supersede, created_at, created_by, updated_at, fairness_weight
      """;

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final JdbcClient jdbc;

  public RepoStore(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** A repository's settings, as checked; the secret and the bookkeeping are the store's. */
  public record Settings(
      String url,
      List<String> branches,
      List<String> archs,
      RunPriority defaultPriority,
      Duration pollInterval,
      List<NotifyTarget> notifyTargets,
      List<BranchPolicy> supersede,
      double fairnessWeight) {

    /** Settings with the default fairness weight. */
    public Settings(
        String url,
        List<String> branches,
        List<String> archs,
        RunPriority defaultPriority,
        Duration pollInterval,
        List<NotifyTarget> notifyTargets,
        List<BranchPolicy> supersede) {
      this(
          url,
          branches,
          archs,
          defaultPriority,
          pollInterval,
          notifyTargets,
          supersede,
          FairQueues.DEFAULT_WEIGHT);
    }
  }

  /**
   * @throws org.springframework.dao.DuplicateKeyException when the repository is registered already
   */
  public RegisteredRepo insert(Settings settings, String webhookSecret, String createdBy) {
    return jdbc.sql(
            """
            INSERT INTO repos (url, url_key, branches, archs, default_priority, webhook_secret,
                               poll_interval_s, notify, supersede, created_by, fairness_weight)
            VALUES (:url, :key, :branches, :archs, :priority, :secret, :poll,
                    CAST(:notify AS jsonb), CAST(:supersede AS jsonb), :createdBy, :weight)
            RETURNING
            """
                + COLUMNS)
        .params(settingsParams(settings))
        .param("secret", webhookSecret)
        .param("createdBy", createdBy)
        .query(RepoStore::map)
        .single();
  }

  /**
   * @return the row after the update; empty for an unknown id
   * @throws org.springframework.dao.DuplicateKeyException when another row has the new URL
   */
  public Optional<RegisteredRepo> update(long id, Settings settings) {
    return jdbc.sql(
            """
            UPDATE repos
               SET url = :url, url_key = :key, branches = :branches, archs = :archs,
                   default_priority = :priority, poll_interval_s = :poll,
                   notify = CAST(:notify AS jsonb), supersede = CAST(:supersede AS jsonb),
                   fairness_weight = :weight, updated_at = now()
             WHERE id = :id
            RETURNING
            """
                + COLUMNS)
        .params(settingsParams(settings))
        .param("id", id)
        .query(RepoStore::map)
        .optional();
  }

  public Optional<RegisteredRepo> rotateSecret(long id, String webhookSecret) {
    return jdbc.sql(
            "UPDATE repos SET webhook_secret = :secret, updated_at = now() WHERE id = :id"
                + " RETURNING "
                + COLUMNS)
        .param("id", id)
        .param("secret", webhookSecret)
        .query(RepoStore::map)
        .optional();
  }

  public Optional<RegisteredRepo> find(long id) {
    return jdbc.sql("SELECT " + COLUMNS + " FROM repos WHERE id = :id")
        .param("id", id)
        .query(RepoStore::map)
        .optional();
  }

  /** The repository registered under any of these URLs ({@link RegisteredRepo#key} compared). */
  public Optional<RegisteredRepo> findByUrl(List<String> urls) {
    List<String> keys = urls.stream().filter(u -> u != null).map(RegisteredRepo::key).toList();
    if (keys.isEmpty()) {
      return Optional.empty();
    }
    return jdbc.sql(
            "SELECT " + COLUMNS + " FROM repos WHERE url_key = ANY(:keys) ORDER BY id LIMIT 1")
        .param("keys", keys.toArray(String[]::new))
        .query(RepoStore::map)
        .optional();
  }

  /**
   * The fairness weights of those of {@code urls} that are registered, by {@link
   * RegisteredRepo#key}.
   */
  public java.util.Map<String, Double> fairnessWeights(java.util.Collection<String> urls) {
    List<String> keys = urls.stream().filter(u -> u != null).map(RegisteredRepo::key).toList();
    java.util.Map<String, Double> weights = new java.util.HashMap<>();
    if (keys.isEmpty()) {
      return weights;
    }
    jdbc.sql("SELECT url_key, fairness_weight FROM repos WHERE url_key = ANY(:keys)")
        .param("keys", keys.toArray(String[]::new))
        .query(
            rs -> {
              weights.put(rs.getString("url_key"), rs.getDouble("fairness_weight"));
            });
    return weights;
  }

  public List<RegisteredRepo> list() {
    return jdbc.sql("SELECT " + COLUMNS + " FROM repos ORDER BY id").query(RepoStore::map).list();
  }

  /**
   * @return whether a row was deleted
   */
  public boolean delete(long id) {
    return jdbc.sql("DELETE FROM repos WHERE id = :id").param("id", id).update() == 1;
  }

  private static java.util.Map<String, Object> settingsParams(Settings settings) {
    java.util.Map<String, Object> params = new java.util.HashMap<>();
    params.put("url", settings.url());
    params.put("key", RegisteredRepo.key(settings.url()));
    params.put("branches", settings.branches().toArray(String[]::new));
    params.put("archs", settings.archs().toArray(String[]::new));
    params.put("priority", settings.defaultPriority().wireName());
    params.put(
        "poll", settings.pollInterval() == null ? null : settings.pollInterval().toSeconds());
    params.put("notify", JSON.writeValueAsString(settings.notifyTargets()));
    params.put("supersede", JSON.writeValueAsString(settings.supersede()));
    params.put("weight", settings.fairnessWeight());
    return params;
  }

  private static RegisteredRepo map(ResultSet rs, int row) throws SQLException {
    long poll = rs.getLong("poll_interval_s");
    Duration pollInterval = rs.wasNull() ? null : Duration.ofSeconds(poll);
    return new RegisteredRepo(
        rs.getLong("id"),
        rs.getString("url"),
        strings(rs.getArray("branches")),
        strings(rs.getArray("archs")),
        RunPriority.fromWireName(rs.getString("default_priority")).orElse(RunPriority.NORMAL),
        rs.getString("webhook_secret"),
        pollInterval,
        JSON.readValue(rs.getString("notify"), new TypeReference<List<NotifyTarget>>() {}),
        JSON.readValue(rs.getString("supersede"), new TypeReference<List<BranchPolicy>>() {}),
        instant(rs, "created_at"),
        rs.getString("created_by"),
        instant(rs, "updated_at"),
        rs.getDouble("fairness_weight"));
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
      return List.of((String[]) array.getArray());
    } finally {
      array.free();
    }
  }
}
