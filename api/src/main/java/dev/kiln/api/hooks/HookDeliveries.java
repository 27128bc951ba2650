package dev.kiln.api.hooks;

import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code webhook_deliveries} table: which deliveries Kiln took already. */
@Repository
class HookDeliveries {

  private final JdbcClient jdbc;

  HookDeliveries(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * Takes a delivery. Of two concurrent deliveries with one id exactly one is taken: the primary
   * key decides.
   *
   * @return false when the delivery was taken before
   */
  boolean take(Forge forge, String deliveryId, long repoId, String event) {
    return jdbc.sql(
                """
                INSERT INTO webhook_deliveries (forge, delivery_id, repo_id, event)
                VALUES (:forge, :id, :repoId, :event)
                ON CONFLICT (forge, delivery_id) DO NOTHING
                """)
            .param("forge", forge.wireName())
            .param("id", deliveryId)
            .param("repoId", repoId)
            .param("event", event)
            .update()
        == 1;
  }

  void recordOutcome(Forge forge, String deliveryId, List<Long> runIds, String note) {
    jdbc.sql(
            """
            UPDATE webhook_deliveries SET run_ids = :runIds, note = CAST(:note AS text)
             WHERE forge = :forge AND delivery_id = :id
            """)
        .param("forge", forge.wireName())
        .param("id", deliveryId)
        .param("runIds", runIds.toArray(Long[]::new))
        .param("note", note, java.sql.Types.VARCHAR)
        .update();
  }

  /** Forgets a delivery that could not be carried out, so that the forge's redelivery is. */
  void release(Forge forge, String deliveryId) {
    jdbc.sql("DELETE FROM webhook_deliveries WHERE forge = :forge AND delivery_id = :id")
        .param("forge", forge.wireName())
        .param("id", deliveryId)
        .update();
  }
}
