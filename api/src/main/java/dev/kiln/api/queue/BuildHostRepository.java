package dev.kiln.api.queue;

import java.time.Duration;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** {@code build_hosts}: the last status each build host reported. */
@Repository
public class BuildHostRepository {

  private final JdbcClient jdbc;

  public BuildHostRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  public void report(String name, HostReport report) {
    jdbc.sql(
            """
            INSERT INTO build_hosts (name, archs, slots, busy, cpu, memory, paused_for_resources,
                                     last_seen)
            VALUES (:name, :archs, :slots, :busy, :cpu, :memory, :paused, now())
            ON CONFLICT (name) DO UPDATE
               SET archs = excluded.archs, slots = excluded.slots, busy = excluded.busy,
                   cpu = excluded.cpu, memory = excluded.memory,
                   paused_for_resources = excluded.paused_for_resources,
                   last_seen = excluded.last_seen
            """)
        .param("name", name)
        .param("archs", report.archs().toArray(String[]::new))
        .param("slots", report.slots())
        .param("busy", report.busy())
        .param("cpu", report.cpu())
        .param("memory", report.memory())
        .param("paused", report.pausedForResources())
        .update();
  }

  /**
   * Free slots of the hosts that serve {@code arch} and reported within {@code freshness}. A host
   * paused for resources takes no build, so its slots do not count; a host serving several archs
   * counts its free slots under each.
   */
  public HostCapacity capacity(String arch, Duration freshness) {
    return jdbc.sql(
            """
            SELECT count(*) AS hosts,
                   coalesce(sum(CASE WHEN paused_for_resources THEN 0
                                     ELSE greatest(slots - busy, 0) END), 0) AS free,
                   count(*) FILTER (WHERE paused_for_resources) AS paused
              FROM build_hosts
             WHERE :arch = ANY (archs)
               AND last_seen > now() - make_interval(secs => :seconds)
            """)
        .param("arch", arch)
        .param("seconds", (double) freshness.toMillis() / 1000)
        .query(
            (rs, n) -> new HostCapacity(rs.getInt("hosts"), rs.getInt("free"), rs.getInt("paused")))
        .single();
  }

  /** Slots of the hosts that reported within {@code freshness}, by name. */
  public List<HostSlots> liveSlots(Duration freshness) {
    return jdbc.sql(
            """
            SELECT name, slots, busy
              FROM build_hosts
             WHERE last_seen > now() - make_interval(secs => :seconds)
             ORDER BY name
            """)
        .param("seconds", (double) freshness.toMillis() / 1000)
        .query(
            (rs, n) -> new HostSlots(rs.getString("name"), rs.getInt("slots"), rs.getInt("busy")))
        .list();
  }

  /** A live host's slots and how many of them hold a build. */
  public record HostSlots(String name, int slots, int busy) {}

  /**
   * @param archs the architectures the host builds for
   * @param busy builds holding a slot (fetch to cleanup)
   * @param cpu fraction of the machine's CPU in use
   * @param memory fraction of the machine's memory in use
   */
  public record HostReport(
      List<String> archs,
      int slots,
      int busy,
      double cpu,
      double memory,
      boolean pausedForResources) {}

  /**
   * @param hosts hosts serving the arch that reported recently
   * @param freeSlots their free slots, paused hosts not counted
   * @param paused hosts taking no build because of CPU or memory
   */
  public record HostCapacity(int hosts, int freeSlots, int paused) {}
}
