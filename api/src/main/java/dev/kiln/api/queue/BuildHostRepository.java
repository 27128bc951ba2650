package dev.kiln.api.queue;

import java.time.Duration;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** {@code build_hosts}: the last status each build host reported. */
@Repository
public class BuildHostRepository {

  /** A host takes builds unless it is draining or was asked to. */
  private static final String TAKING_BUILDS =
      "NOT draining AND NOT coalesce(drain_process = process, false)";

  private final JdbcClient jdbc;

  public BuildHostRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * Records a host's report.
   *
   * @return whether an operator asked this process of the host to drain
   */
  public boolean report(String name, HostReport report) {
    return jdbc.sql(
            """
            INSERT INTO build_hosts (name, archs, slots, busy, cpu, memory, paused_for_resources,
                                     labels, version, draining, runs, process, last_seen)
            VALUES (:name, :archs, :slots, :busy, :cpu, :memory, :paused, :labels,
                    CAST(:version AS text), :draining, :runs, :process, now())
            ON CONFLICT (name) DO UPDATE
               SET archs = excluded.archs, slots = excluded.slots, busy = excluded.busy,
                   cpu = excluded.cpu, memory = excluded.memory,
                   paused_for_resources = excluded.paused_for_resources,
                   labels = excluded.labels, version = excluded.version,
                   draining = excluded.draining, runs = excluded.runs,
                   process = excluded.process, last_seen = excluded.last_seen
            RETURNING coalesce(drain_process = process, false) AS drain
            """)
        .param("name", name)
        .param("archs", report.archs().toArray(String[]::new))
        .param("slots", report.slots())
        .param("busy", report.busy())
        .param("cpu", report.cpu())
        .param("memory", report.memory())
        .param("paused", report.pausedForResources())
        .param("labels", report.labels().toArray(String[]::new))
        .param("version", report.version(), java.sql.Types.VARCHAR)
        .param("draining", report.draining())
        .param("runs", report.runs().toArray(Long[]::new))
        .param("process", report.process() == null ? "" : report.process())
        .query(Boolean.class)
        .single();
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
               AND %s
            """
                .formatted(TAKING_BUILDS))
        .param("arch", arch)
        .param("seconds", (double) freshness.toMillis() / 1000)
        .query(
            (rs, n) -> new HostCapacity(rs.getInt("hosts"), rs.getInt("free"), rs.getInt("paused")))
        .single();
  }

  /**
   * Whether a host that reported within {@code freshness}, serves {@code arch}, has every one of
   * {@code labels} and is not draining.
   */
  public boolean servesWithLabels(String arch, List<String> labels, Duration freshness) {
    return jdbc.sql(
            """
            SELECT EXISTS (SELECT 1 FROM build_hosts
                            WHERE :arch = ANY (archs) AND labels @> CAST(:labels AS text[])
                              AND last_seen > now() - make_interval(secs => :seconds)
                              AND %s)
            """
                .formatted(TAKING_BUILDS))
        .param("arch", arch)
        .param("labels", labels.toArray(String[]::new))
        .param("seconds", (double) freshness.toMillis() / 1000)
        .query(Boolean.class)
        .single();
  }

  /** Every host that ever reported, by name; {@code live} when it reported within freshness. */
  public List<HostRow> all(Duration freshness) {
    return jdbc.sql(
            """
            SELECT name, archs, labels, slots, busy, cpu, memory, paused_for_resources, version,
                   draining, coalesce(drain_process = process, false) AS drain_asked,
                   runs, last_seen,
                   last_seen > now() - make_interval(secs => :seconds) AS live
              FROM build_hosts
             ORDER BY name
            """)
        .param("seconds", (double) freshness.toMillis() / 1000)
        .query(BuildHostRepository::hostRow)
        .list();
  }

  /** One host, as {@link #all} reads it. */
  public java.util.Optional<HostRow> find(String name, Duration freshness) {
    return all(freshness).stream().filter(h -> h.name().equals(name)).findFirst();
  }

  /**
   * Asks the process now reporting as {@code name} to drain ({@code true}) or not; its next report
   * hears of it.
   *
   * @return false when no host of that name ever reported
   */
  public boolean askToDrain(String name, boolean drain) {
    return jdbc.sql(
                """
                UPDATE build_hosts
                   SET drain_process = CASE WHEN :drain THEN coalesce(process, '') END,
                       drain_asked_at = CASE WHEN :drain THEN now() END
                 WHERE name = :name
                """)
            .param("name", name)
            .param("drain", drain)
            .update()
        == 1;
  }

  private static HostRow hostRow(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
    return new HostRow(
        rs.getString("name"),
        List.of((String[]) rs.getArray("archs").getArray()),
        List.of((String[]) rs.getArray("labels").getArray()),
        rs.getInt("slots"),
        rs.getInt("busy"),
        rs.getDouble("cpu"),
        rs.getDouble("memory"),
        rs.getBoolean("paused_for_resources"),
        rs.getString("version"),
        rs.getBoolean("draining"),
        rs.getBoolean("drain_asked"),
        List.of((Long[]) rs.getArray("runs").getArray()),
        rs.getTimestamp("last_seen").toInstant(),
        rs.getBoolean("live"));
  }

  /**
   * A host as its last report left it.
   *
   * @param draining the host said it is draining
   * @param drainAsked an operator asked the process now reporting to drain
   * @param runs the runs holding one of its slots
   */
  public record HostRow(
      String name,
      List<String> archs,
      List<String> labels,
      int slots,
      int busy,
      double cpu,
      double memory,
      boolean pausedForResources,
      String version,
      boolean draining,
      boolean drainAsked,
      List<Long> runs,
      java.time.Instant lastSeen,
      boolean live) {}

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
      boolean pausedForResources,
      List<String> labels,
      String version,
      boolean draining,
      List<Long> runs,
      String process) {

    /** A report of capacity alone (tests). */
    public HostReport(
        List<String> archs,
        int slots,
        int busy,
        double cpu,
        double memory,
        boolean pausedForResources) {
      this(
          archs,
          slots,
          busy,
          cpu,
          memory,
          pausedForResources,
          List.of(),
          null,
          false,
          List.of(),
          "");
    }
  }

  /**
   * @param hosts hosts serving the arch that reported recently
   * @param freeSlots their free slots, paused hosts not counted
   * @param paused hosts taking no build because of CPU or memory
   */
  public record HostCapacity(int hosts, int freeSlots, int paused) {}
}
