package dev.kiln.api.notify;

import dev.kiln.api.repos.NotifyTarget;
import dev.kiln.workflows.Result;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;

/** The {@code run_notifications} table: each notification's state, attempts and what it posted. */
@Repository
public class NotificationStore {

  public static final String PENDING = "pending";
  public static final String DELIVERED = "delivered";
  public static final String FAILED = "failed";

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final JdbcClient jdbc;

  public NotificationStore(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * A notification as the run view lists it.
   *
   * @param target without its secret or token
   * @param posted the commit statuses the forge acknowledged ({@code <context>=<state>})
   */
  public record Notification(
      long runId,
      String targetKey,
      String event,
      NotifyTarget target,
      String state,
      int attempts,
      String lastError,
      Instant lastAttemptAt,
      List<String> posted) {}

  /** Records a notification to make; one that exists already stays as it is. */
  public void add(long runId, NotifyTarget target, String event) {
    jdbc.sql(
            """
            INSERT INTO run_notifications (run_id, target_key, event, target)
            VALUES (:runId, :key, :event, CAST(:target AS jsonb))
            ON CONFLICT DO NOTHING
            """)
        .param("runId", runId)
        .param("key", target.key())
        .param("event", event)
        .param("target", JSON.writeValueAsString(target.withoutSecrets()))
        .update();
  }

  public Optional<Notification> find(long runId, String targetKey, String event) {
    return jdbc.sql(
            "SELECT * FROM run_notifications"
                + " WHERE run_id = :runId AND target_key = :key AND event = :event")
        .param("runId", runId)
        .param("key", targetKey)
        .param("event", event)
        .query(NotificationStore::map)
        .optional();
  }

  /** The run's notifications, oldest first. */
  public List<Notification> ofRun(long runId) {
    return jdbc.sql(
            "SELECT * FROM run_notifications WHERE run_id = :runId ORDER BY created_at, target_key,"
                + " event")
        .param("runId", runId)
        .query(NotificationStore::map)
        .list();
  }

  /** Counts an attempt that starts now. */
  public void attempting(long runId, String targetKey, String event) {
    update(
        "attempts = attempts + 1, last_attempt_at = now()", runId, targetKey, event, null, false);
  }

  /** Records a status the forge acknowledged, so that no later attempt posts it again. */
  public void posted(long runId, String targetKey, String event, String postedKey) {
    jdbc.sql(
            """
            UPDATE run_notifications SET posted = array_append(posted, :posted)
             WHERE run_id = :runId AND target_key = :key AND event = :event
               AND NOT (:posted = ANY(posted))
            """)
        .param("runId", runId)
        .param("key", targetKey)
        .param("event", event)
        .param("posted", postedKey)
        .update();
  }

  public void delivered(long runId, String targetKey, String event) {
    update("state = 'delivered', last_error = NULL", runId, targetKey, event, null, false);
  }

  /** The attempt failed; it may be retried. */
  public void attemptFailed(long runId, String targetKey, String event, String error) {
    update("last_error = :error", runId, targetKey, event, error, false);
  }

  /** No attempt follows: {@code failed}, saying why. Only a pending notification changes. */
  public void failed(long runId, String targetKey, String event, String error) {
    update("state = 'failed', last_error = :error", runId, targetKey, event, error, true);
  }

  /**
   * The result of the latest run of {@code lane} before {@code runId} that passed or failed, if
   * any.
   */
  public Optional<Result> previousVerdict(String lane, long runId) {
    return jdbc.sql(
            """
            SELECT result FROM runs
             WHERE lane = :lane AND id < :runId AND result IN ('passed', 'failed')
             ORDER BY id DESC LIMIT 1
            """)
        .param("lane", lane)
        .param("runId", runId)
        .query((rs, row) -> Result.fromWireName(rs.getString("result")))
        .optional();
  }

  private void update(
      String set, long runId, String targetKey, String event, String error, boolean pendingOnly) {
    jdbc.sql(
            "UPDATE run_notifications SET "
                + set
                + " WHERE run_id = :runId AND target_key = :key AND event = :event"
                + (pendingOnly ? " AND state = 'pending'" : ""))
        .param("runId", runId)
        .param("key", targetKey)
        .param("event", event)
        .param("error", error)
        .update();
  }

  private static Notification map(ResultSet rs, int row) throws SQLException {
    Timestamp last = rs.getTimestamp("last_attempt_at");
    return new Notification(
        rs.getLong("run_id"),
        rs.getString("target_key"),
        rs.getString("event"),
        JSON.readValue(rs.getString("target"), NotifyTarget.class),
        rs.getString("state"),
        rs.getInt("attempts"),
        rs.getString("last_error"),
        last == null ? null : last.toInstant(),
        strings(rs.getArray("posted")));
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
