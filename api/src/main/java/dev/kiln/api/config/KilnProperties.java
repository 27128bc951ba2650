package dev.kiln.api.config;

import dev.kiln.workflows.Architectures;
import dev.kiln.workflows.connection.TemporalTls;
import dev.kiln.workflows.repo.AllowedHosts;
import dev.kiln.workflows.repo.HostResolver;
import dev.kiln.workflows.repo.RepositoryPolicy;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Everything the api reads from {@code kiln.*}. Defaults live here, in one place, rather than split
 * between this class and {@code application.yml}.
 *
 * @param home where the api keeps artifacts; {@code ${user.home}/.kiln} when unset
 * @param archs the architectures runs may ask for, normalised ({@code amd64} becomes {@code
 *     x86_64})
 * @param publicUrl this api's address as its users reach it ({@code https://kiln.example.com}), for
 *     links the api writes where no request is at hand, such as a workflow's details in the
 *     Temporal Web UI; never taken from a request's {@code Host}. Unset: {@code
 *     http://localhost:<port>}
 */
@ConfigurationProperties("kiln")
public record KilnProperties(
    Path home,
    @DefaultValue Internal internal,
    @DefaultValue Temporal temporal,
    @DefaultValue Repos repos,
    @DefaultValue({"x86_64", "aarch64"}) List<String> archs,
    @DefaultValue Artifacts artifacts,
    @DefaultValue Http http,
    @DefaultValue Logs logs,
    @DefaultValue Dispatch dispatch,
    URI publicUrl) {

  public KilnProperties {
    home = home == null ? Path.of(System.getProperty("user.home"), ".kiln") : home;
    archs = archs.stream().map(Architectures::normalise).distinct().toList();
    if (internal.token() == null || internal.token().isBlank()) {
      throw new IllegalArgumentException(
          "kiln.internal.token is required: it is the shared secret workers send as"
              + " 'Authorization: Bearer <token>' to /internal/**; set it (for example with the"
              + " KILN_INTERNAL_TOKEN environment variable) to a long random string");
    }
    if (archs.isEmpty()) {
      throw new IllegalArgumentException("kiln.archs must name at least one architecture");
    }
  }

  /** The artifact store's root: {@code <home>/artifacts}. */
  public Path artifactsRoot() {
    return home.resolve("artifacts");
  }

  /**
   * @param token the bearer token workers present on {@code /internal/**}; required
   * @param maxLogBatchSize the largest log chunk batch a worker may post
   */
  public record Internal(String token, @DefaultValue("8MB") DataSize maxLogBatchSize) {}

  /**
   * @param address host:port of the Temporal frontend
   * @param uiUrl base URL of the Temporal Web UI, for links in run views
   * @param rpcTimeout deadline of one call to Temporal
   * @param startTimeout how long {@code POST /rebuild} keeps retrying to start a workflow before it
   *     gives up and answers 503
   * @param healthTimeout deadline of the health check call
   * @param tls TLS to the frontend, mutual with a client certificate (docs/operations.md)
   * @param apiKeyFile a file holding an API key for the frontend (Temporal Cloud), read at each
   *     call
   */
  public record Temporal(
      @DefaultValue("localhost:7233") String address,
      @DefaultValue("default") String namespace,
      @DefaultValue("http://localhost:8233") URI uiUrl,
      @DefaultValue("10s") Duration rpcTimeout,
      @DefaultValue("10s") Duration startTimeout,
      @DefaultValue("2s") Duration healthTimeout,
      @DefaultValue TemporalTls tls,
      Path apiKeyFile) {

    public String uiBase() {
      String s = uiUrl.toString();
      return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
  }

  /**
   * The repository policy's settings; the workers read the same ones (docs/operations.md).
   *
   * @param allowFile accept {@code file://} repository URLs; only for local development, where api
   *     and workers share a disk
   * @param allowHosts hosts Kiln fetches from although they are, or resolve to, loopback, private,
   *     link-local or other non-public addresses: names ({@code git.internal}, {@code
   *     *.corp.example}), addresses or ranges ({@code 10.0.0.0/8})
   * @param resolveNames look host names up when a run is submitted, refusing one that resolves to a
   *     non-public address at once; {@code false} leaves names to the workers, which judge them
   *     where they connect in any case (for an api whose DNS answers differ from the workers')
   */
  public record Repos(
      @DefaultValue("false") boolean allowFile,
      @DefaultValue List<String> allowHosts,
      @DefaultValue("true") boolean resolveNames) {

    public Repos {
      AllowedHosts.of(allowHosts); // fails the start on an entry it cannot read
    }

    public RepositoryPolicy policy() {
      return new RepositoryPolicy(
          allowFile,
          AllowedHosts.of(allowHosts),
          resolveNames ? HostResolver.SYSTEM : HostResolver.NONE);
    }
  }

  /**
   * Limits on what a run stages; past one, the stage step fails saying which.
   *
   * @param maxSize the largest artifact a worker may upload
   * @param maxCount the most artifacts one run may keep
   * @param maxTotalSize the most bytes one run's artifacts may take together
   * @param store where artifacts and local submissions' bundles are kept: {@code filesystem} (under
   *     {@code <home>/artifacts}, the default) or {@code s3} (a bucket, shared by every api
   *     replica)
   * @param s3 the bucket, when {@code store} is {@code s3}
   */
  public record Artifacts(
      @DefaultValue("1GB") DataSize maxSize,
      @DefaultValue("1000") int maxCount,
      @DefaultValue("10GB") DataSize maxTotalSize,
      @DefaultValue("filesystem") Store store,
      @DefaultValue S3 s3) {

    @ConstructorBinding
    public Artifacts {
      if (maxCount < 1) {
        throw new IllegalArgumentException("kiln.artifacts.max-count must be at least 1");
      }
      if (maxSize.toBytes() < 1 || maxTotalSize.toBytes() < 1) {
        throw new IllegalArgumentException(
            "kiln.artifacts.max-size and max-total-size must be positive");
      }
      if (store == Store.S3) {
        s3.validate();
      }
    }

    /** The filesystem store with these limits. */
    public Artifacts(DataSize maxSize, int maxCount, DataSize maxTotalSize) {
      this(maxSize, maxCount, maxTotalSize, Store.FILESYSTEM, S3.UNSET);
    }
  }

  /** Where the api keeps artifacts ({@code kiln.artifacts.store}). */
  public enum Store {
    FILESYSTEM,
    S3
  }

  /**
   * An S3-compatible bucket ({@code kiln.artifacts.s3.*}).
   *
   * @param endpoint the store's address, such as {@code http://127.0.0.1:8333}; unset: AWS's own
   *     endpoint for {@code region}
   * @param region the bucket's region; S3-compatible servers take any
   * @param bucket the bucket, which must exist: the api checks it at start and does not create it
   * @param accessKey with {@code secretKey}, the credentials; both unset: the AWS SDK's default
   *     chain (its environment variables, profile files, or the instance's role)
   * @param pathStyle address the bucket as {@code <endpoint>/<bucket>/<key>} rather than as a host
   *     name {@code <bucket>.<endpoint host>}, which S3-compatible servers on one address need
   */
  public record S3(
      URI endpoint,
      @DefaultValue("us-east-1") String region,
      String bucket,
      String accessKey,
      String secretKey,
      @DefaultValue("true") boolean pathStyle) {

    static final S3 UNSET = new S3(null, "us-east-1", null, null, null, true);

    public S3 {
      // an empty environment variable means unset
      endpoint = endpoint == null || endpoint.toString().isBlank() ? null : endpoint;
      region = region == null || region.isBlank() ? "us-east-1" : region;
    }

    void validate() {
      if (bucket == null || bucket.isBlank()) {
        throw new IllegalArgumentException(
            "kiln.artifacts.s3.bucket is required when kiln.artifacts.store is s3");
      }
      if (isBlank(accessKey) != isBlank(secretKey)) {
        throw new IllegalArgumentException(
            "kiln.artifacts.s3.access-key and kiln.artifacts.s3.secret-key go together: set both,"
                + " or neither to use the AWS SDK's default credentials");
      }
      if (endpoint != null
          && !"http".equals(endpoint.getScheme())
          && !"https".equals(endpoint.getScheme())) {
        throw new IllegalArgumentException(
            "kiln.artifacts.s3.endpoint must be an http:// or https:// address, not " + endpoint);
      }
    }

    /** Never the secret key, wherever this record is printed. */
    @Override
    public String toString() {
      return "S3[endpoint=%s, region=%s, bucket=%s, accessKey=%s, secretKey=%s, pathStyle=%s]"
          .formatted(
              endpoint, region, bucket, accessKey, isBlank(secretKey) ? "" : "****", pathStyle);
    }

    /** Whether credentials are configured rather than left to the SDK's default chain. */
    public boolean hasKeys() {
      return !isBlank(accessKey);
    }

    private static boolean isBlank(String s) {
      return s == null || s.isBlank();
    }
  }

  /**
   * @param maxBodySize the largest request body of the public API
   */
  public record Http(@DefaultValue("1MB") DataSize maxBodySize) {}

  /**
   * @param noWorkerTimeout how long a run waits for a worker of its architecture to pick up its
   *     first step before it fails with "no worker for arch … within …"; {@code 0} waits forever
   * @param pollerCheckTimeout deadline of the best-effort check whether any worker polls the
   *     architecture's queue, whose answer {@code POST /rebuild} reports as {@code warning}
   */
  public record Dispatch(
      @DefaultValue("5m") Duration noWorkerTimeout,
      @DefaultValue("2s") Duration pollerCheckTimeout) {

    public Dispatch {
      if (noWorkerTimeout.isNegative()) {
        throw new IllegalArgumentException("kiln.dispatch.no-worker-timeout must not be negative");
      }
      if (pollerCheckTimeout.isNegative() || pollerCheckTimeout.isZero()) {
        throw new IllegalArgumentException("kiln.dispatch.poller-check-timeout must be positive");
      }
    }
  }

  /**
   * @param maxBytesPerRun log bytes stored per run; later chunks are dropped and one {@code kiln}
   *     line says so (docs/kiln-yaml.md)
   * @param heartbeat how often a log stream (SSE) sends a comment, so proxies keep an idle stream
   *     open and a vanished client is noticed; each heartbeat also re-reads the database, which
   *     covers a notification lost while the LISTEN connection reconnected
   */
  public record Logs(
      @DefaultValue("64MB") DataSize maxBytesPerRun, @DefaultValue("15s") Duration heartbeat) {

    public Logs {
      if (maxBytesPerRun.toBytes() < 1) {
        throw new IllegalArgumentException("kiln.logs.max-bytes-per-run must be positive");
      }
      if (heartbeat.isNegative() || heartbeat.isZero()) {
        throw new IllegalArgumentException("kiln.logs.heartbeat must be positive");
      }
    }
  }
}
