package dev.kiln.worker;

import dev.kiln.activities.capacity.LoadLimits;
import dev.kiln.activities.fetch.RepositoryCredentials;
import dev.kiln.activities.process.sandbox.SandboxDefaults;
import dev.kiln.workflows.Architectures;
import dev.kiln.workflows.WorkerLabels;
import dev.kiln.workflows.connection.TemporalTls;
import dev.kiln.workflows.repo.RepositoryPolicy;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Everything a worker process needs. A build host holds no database credentials: only the api's URL
 * and the worker token.
 *
 * @param home KILN_HOME: mirrors, workspaces; default {@code ~/.kiln}
 * @param api where the api's {@code /internal} endpoints are, and the worker token
 * @param temporal the Temporal frontend
 * @param worker roles, architectures, slots, grace period, host name
 * @param repos the repository policy's settings and the repository credentials
 * @param metrics where the worker serves its Prometheus metrics, if at all
 */
@ConfigurationProperties("kiln")
public record WorkerProperties(
    Path home,
    @DefaultValue Api api,
    @DefaultValue Temporal temporal,
    @DefaultValue Worker worker,
    @DefaultValue Repos repos,
    @DefaultValue Internal internal,
    @DefaultValue Metrics metrics) {

  public WorkerProperties {
    if (home == null || home.toString().isBlank()) {
      home = Path.of(System.getProperty("user.home"), ".kiln");
    }
  }

  public record Api(@DefaultValue("http://127.0.0.1:8080") URI url) {}

  /**
   * The worker's own Prometheus endpoint, {@code GET /metrics}: the Temporal SDK's metrics of this
   * worker (polls, task slots, schedule-to-start latencies). Off by default; a worker has no other
   * HTTP server.
   *
   * @param port 0 picks a free port (tests)
   * @param address the interface to listen on; loopback unless a scraper on another machine needs
   *     it
   */
  public record Metrics(
      @DefaultValue("false") boolean enabled,
      @DefaultValue("9464") int port,
      @DefaultValue("127.0.0.1") String address) {}

  /** The shared secret the api checks on {@code /internal}. */
  public record Internal(String token) {}

  /**
   * @param address host:port of the Temporal frontend
   * @param namespace the namespace Kiln's workflows run in
   * @param tls TLS to the frontend, mutual with a client certificate (docs/operations.md)
   * @param apiKeyFile a file holding an API key for the frontend (Temporal Cloud), read at each
   *     call
   */
  public record Temporal(
      @DefaultValue("localhost:7233") String address,
      @DefaultValue("default") String namespace,
      @DefaultValue TemporalTls tls,
      Path apiKeyFile) {}

  /**
   * @param roles {@code control} (workflows, ledger) and/or {@code build} (fetch, compile, …)
   * @param archs architectures this host builds for; empty means the machine's own
   * @param slots builds at once, from fetch to cleanup, shared by all archs; 0 means max(1, cores /
   *     2)
   * @param maxCpu no new build while the machine's CPU use is at or above this fraction
   * @param maxMemory no new build while the machine's memory use is at or above this fraction
   * @param slotLeaseIdle a build slot whose run had no host activity for this long, and no cleanup
   *     (a run terminated from the UI), is freed
   * @param gracePeriod SIGTERM → SIGKILL delay when a build is cancelled
   * @param host this host's name in task queues and the run view; empty means the hostname
   * @param labels labels this host advertises besides the toolchains it detects, e.g. {@code
   *     big-memory}; a run that requires labels builds only on a host with all of them
   * @param detectToolchains whether to label the host with the toolchains it finds at start
   * @param drainTimeout how long a draining host lets its running builds finish; past it they are
   *     stopped and restarted elsewhere, as for a lost host
   * @param drainExits whether the process exits (0) once drained, and drains on SIGTERM: a worker
   *     process of its own does; the dev stack's worker, which shares its JVM with the api, stays
   *     up, idle, until the drain is withdrawn
   */
  public record Worker(
      @DefaultValue({"control", "build"}) Set<String> roles,
      @DefaultValue List<String> archs,
      @DefaultValue("0") int slots,
      @DefaultValue("0.85") double maxCpu,
      @DefaultValue("0.85") double maxMemory,
      @DefaultValue("10m") Duration slotLeaseIdle,
      @DefaultValue(SandboxDefaults.GRACE_PERIOD) Duration gracePeriod,
      @DefaultValue("") String host,
      @DefaultValue List<String> labels,
      @DefaultValue("true") boolean detectToolchains,
      @DefaultValue("10m") Duration drainTimeout,
      @DefaultValue("true") boolean drainExits) {

    public Worker {
      // KILN_WORKER_LABELS="" (no labels) binds as one empty label
      labels =
          WorkerLabels.check(
              "kiln.worker.labels", labels.stream().filter(l -> !l.isBlank()).toList());
      if (drainTimeout.isNegative()) {
        throw new IllegalArgumentException("kiln.worker.drain-timeout must not be negative");
      }
    }

    public boolean runsControl() {
      return roles.contains("control");
    }

    public boolean runsBuilds() {
      return roles.contains("build");
    }

    public List<String> effectiveArchs() {
      if (archs.isEmpty()) {
        return List.of(Architectures.current());
      }
      return archs.stream().map(Architectures::normalise).toList();
    }

    public int effectiveSlots() {
      return slots > 0 ? slots : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    }

    public LoadLimits loadLimits() {
      return new LoadLimits(maxCpu, maxMemory);
    }
  }

  /**
   * The repository policy's settings, as the api reads them (docs/operations.md), and the
   * credentials this worker presents to repository hosts.
   *
   * @param allowFile accept {@code file://} repositories (dev stack only)
   * @param allowHosts hosts fetched from although they are, or resolve to, non-public addresses
   * @param credentials per-host user name and password (or token), for private repositories
   */
  public record Repos(
      @DefaultValue("false") boolean allowFile,
      @DefaultValue List<String> allowHosts,
      @DefaultValue List<Credential> credentials) {

    public RepositoryPolicy policy() {
      return RepositoryPolicy.of(allowFile, allowHosts);
    }

    public RepositoryCredentials repositoryCredentials() {
      return new RepositoryCredentials(
          credentials.stream()
              .map(
                  c ->
                      new RepositoryCredentials.Credential(
                          c.host(), c.username(), c.password(), c.passwordFile()))
              .toList());
    }

    /** Never printed with its secret. */
    public record Credential(String host, String username, String password, Path passwordFile) {
      @Override
      public String toString() {
        return "Credential[" + host + ", " + username + "]";
      }
    }
  }
}
