package dev.kiln.api.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.springframework.test.context.DynamicPropertyRegistry;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A real S3 server for tests: SeaweedFS ({@code weed server -s3}) on loopback ports of its own,
 * with one identity from an S3 config file, data in a temporary directory, and no telemetry. {@code
 * .ci/run} installs {@code weed} into the per-user cache this class looks in; on a machine without
 * it, the tests that need it are skipped, never in CI.
 */
public final class SeaweedFs implements AutoCloseable {

  /** The release {@code .ci/run} builds: SeaweedFS 4.53, its commit as Go addresses it. */
  public static final String VERSION = "v0.0.0-20261109003541-7506e5f91cd6";

  public static final String ACCESS_KEY = "kiln-test";
  public static final String SECRET_KEY = "kiln-test-secret-key";
  public static final String REGION = "us-east-1";

  private final Process process;
  private final Path dir;
  private final URI endpoint;
  private final S3Client client;

  private SeaweedFs(Process process, Path dir, URI endpoint) {
    this.process = process;
    this.dir = dir;
    this.endpoint = endpoint;
    this.client = client(endpoint);
  }

  /** Where {@code weed} is: on {@code PATH}, else in the per-user cache {@code .ci/run} fills. */
  public static Optional<Path> binary() {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String entry : path.split(":")) {
      if (!entry.isEmpty() && Files.isExecutable(Path.of(entry, "weed"))) {
        return Optional.of(Path.of(entry, "weed"));
      }
    }
    String cache = System.getenv("XDG_CACHE_HOME");
    Path root =
        cache != null && cache.startsWith("/")
            ? Path.of(cache)
            : Path.of(System.getProperty("user.home"), ".cache");
    Path cached = root.resolve("kiln/seaweedfs/" + VERSION + "/bin/weed");
    return Files.isExecutable(cached) ? Optional.of(cached) : Optional.empty();
  }

  /** Starts a server (skipping the test where there is no {@code weed}, failing it in CI). */
  public static SeaweedFs start() throws IOException {
    Optional<Path> weed = binary();
    if (!"true".equalsIgnoreCase(System.getenv("CI"))) {
      assumeTrue(
          weed.isPresent(),
          "no weed on PATH or in ~/.cache/kiln/seaweedfs/"
              + VERSION
              + "/bin (.ci/run builds it there: see docs/operations.md)");
    }
    assertThat(weed).as("weed, which .ci/run installs").isPresent();
    // Each port is free when it is picked, but weed's components connect to one another from
    // ephemeral ports while it starts, and one of those may take a port picked for another
    // component: that component then fails to listen. Start again on new ports.
    for (int tries = 1; ; tries++) {
      try {
        return startOnce(weed.get());
      } catch (IllegalStateException e) {
        if (tries == PORT_TRIES || !e.getMessage().contains("address already in use")) {
          throw e;
        }
      }
    }
  }

  private static final int PORT_TRIES = 3;

  private static SeaweedFs startOnce(Path weed) throws IOException {
    Path dir = Files.createTempDirectory("kiln-seaweedfs");
    Path config = dir.resolve("s3.json");
    Files.writeString(
        config,
        """
        {"identities": [{"name": "kiln",
          "credentials": [{"accessKey": "%s", "secretKey": "%s"}],
          "actions": ["Admin", "Read", "List", "Tagging", "Write"]}]}
        """
            .formatted(ACCESS_KEY, SECRET_KEY),
        StandardCharsets.UTF_8);
    Path data = Files.createDirectories(dir.resolve("data"));
    int s3Port = freePort();
    List<String> command = new ArrayList<>();
    command.add(weed.toString());
    command.addAll(
        List.of(
            "server",
            "-dir=" + data,
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            "-master.port=" + freePort(),
            "-master.port.grpc=" + freePort(),
            "-master.volumeSizeLimitMB=64",
            "-master.telemetry=false",
            "-volume.port=" + freePort(),
            "-volume.port.grpc=" + freePort(),
            "-volume.max=64",
            "-filer",
            "-filer.port=" + freePort(),
            "-filer.port.grpc=" + freePort(),
            "-filer.localSocket=" + dir.resolve("filer.sock"),
            "-s3",
            "-s3.port=" + s3Port,
            "-s3.port.grpc=" + freePort(),
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            "-s3.config=" + config));
    Process process =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("weed.log").toFile())
            .start();
    SeaweedFs server = new SeaweedFs(process, dir, URI.create("http://127.0.0.1:" + s3Port));
    try {
      server.awaitWritable();
    } catch (RuntimeException | Error e) {
      String log = server.log();
      server.close();
      throw new IllegalStateException("SeaweedFS did not start; its log ends:\n" + log, e);
    }
    return server;
  }

  /** Until a bucket can be made and an object written: the volume server has registered. */
  private void awaitWritable() {
    String probe = "kiln-probe";
    Awaitility.await("SeaweedFS's S3 endpoint " + endpoint)
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(250))
        .failFast("weed exited", () -> !process.isAlive())
        .ignoreExceptions()
        .until(
            () -> {
              if (client.listBuckets().buckets().stream().noneMatch(b -> probe.equals(b.name()))) {
                client.createBucket(b -> b.bucket(probe));
              }
              client.putObject(b -> b.bucket(probe).key("probe"), RequestBody.fromString("ok"));
              return true;
            });
  }

  public URI endpoint() {
    return endpoint;
  }

  /** A client with the server's credentials, for what a test checks in the bucket. */
  public S3Client client() {
    return client;
  }

  public void createBucket(String bucket) {
    client.createBucket(b -> b.bucket(bucket));
  }

  /** The keys in {@code bucket} below {@code prefix}. */
  public List<String> keys(String bucket, String prefix) {
    return client.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().stream()
        .map(S3Object::key)
        .toList();
  }

  /** The settings that point Kiln's S3 store at {@code bucket} of this server. */
  public Map<String, String> settings(String bucket) {
    return Map.of(
        "kiln.artifacts.store", "s3",
        "kiln.artifacts.s3.endpoint", endpoint.toString(),
        "kiln.artifacts.s3.region", REGION,
        "kiln.artifacts.s3.bucket", bucket,
        "kiln.artifacts.s3.access-key", ACCESS_KEY,
        "kiln.artifacts.s3.secret-key", SECRET_KEY,
        "kiln.artifacts.s3.path-style", "true");
  }

  /** The same settings as the environment variables an operator (or a cluster script) sets. */
  public Map<String, String> environment(String bucket) {
    return Map.of(
        "KILN_ARTIFACTS_STORE", "s3",
        "KILN_ARTIFACTS_S3_ENDPOINT", endpoint.toString(),
        "KILN_ARTIFACTS_S3_REGION", REGION,
        "KILN_ARTIFACTS_S3_BUCKET", bucket,
        "KILN_ARTIFACTS_S3_ACCESS_KEY", ACCESS_KEY,
        "KILN_ARTIFACTS_S3_SECRET_KEY", SECRET_KEY,
        "KILN_ARTIFACTS_S3_PATH_STYLE", "true");
  }

  public void register(DynamicPropertyRegistry registry, String bucket) {
    settings(bucket).forEach((name, value) -> registry.add(name, () -> value));
  }

  /** Stops the server and removes its data. */
  @Override
  public void close() {
    client.close();
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    deleteTree(dir);
  }

  private String log() {
    try {
      List<String> lines = Files.readAllLines(dir.resolve("weed.log"), StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private static S3Client client(URI endpoint) {
    return S3Client.builder()
        .endpointOverride(endpoint)
        .region(Region.of(REGION))
        .forcePathStyle(true)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .build();
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a leftover temporary directory is harmless
    }
  }
}
