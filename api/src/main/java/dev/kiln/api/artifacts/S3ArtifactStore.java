package dev.kiln.api.artifacts;

import dev.kiln.api.config.KilnProperties;
import dev.kiln.api.web.ApiException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.Resource;
import org.springframework.http.HttpStatus;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Artifacts in an S3-compatible bucket ({@code kiln.artifacts.store=s3}), which every api replica
 * shares. Uploads still come through the api and are staged in a local temporary file: only there
 * can the api check the sha256 and the run's quotas, under the run's lock, before anything is
 * stored. Each object carries its sha256 twice: as the S3 checksum {@code x-amz-checksum-sha256},
 * which the server verifies against the bytes it received, and as the metadata {@code
 * x-amz-meta-sha256}, which a download checks against the ledger.
 */
public class S3ArtifactStore implements ArtifactStore, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(S3ArtifactStore.class);

  /** The user metadata (header {@code x-amz-meta-sha256}) that keeps an object's hex sha256. */
  public static final String SHA256_METADATA = "sha256";

  private static final String INCOMING = ".incoming";

  private final S3Client s3;
  private final String bucket;
  private final String where;
  private final Path incoming;
  private final long maxSize;

  S3ArtifactStore(S3Client s3, KilnProperties properties) {
    KilnProperties.S3 settings = properties.artifacts().s3();
    this.s3 = s3;
    this.bucket = settings.bucket();
    this.where = describe(settings);
    this.incoming = properties.artifactsRoot().resolve(INCOMING);
    this.maxSize = properties.artifacts().maxSize().toBytes();
  }

  /**
   * A store on the configured bucket, once it is known to exist and to let these credentials in.
   *
   * @throws ArtifactStoreUnavailableException saying what is wrong, when it is not
   */
  public static S3ArtifactStore connect(KilnProperties properties) {
    S3ArtifactStore store = new S3ArtifactStore(client(properties.artifacts().s3()), properties);
    try {
      store.checkBucket();
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    log.info("artifacts are stored in {}", store.where);
    return store;
  }

  /** The SDK client the settings describe. */
  static S3Client client(KilnProperties.S3 settings) {
    AwsCredentialsProvider credentials =
        settings.hasKeys()
            ? StaticCredentialsProvider.create(
                AwsBasicCredentials.create(settings.accessKey(), settings.secretKey()))
            : DefaultCredentialsProvider.builder().build();
    S3ClientBuilder builder =
        S3Client.builder()
            .region(Region.of(settings.region()))
            .forcePathStyle(settings.pathStyle())
            .credentialsProvider(credentials)
            .httpClientBuilder(
                UrlConnectionHttpClient.builder()
                    .connectionTimeout(Duration.ofSeconds(5))
                    .socketTimeout(Duration.ofSeconds(60)))
            // The SDK's default CRC checksums on every request are not understood by every
            // S3-compatible server; the sha256 each upload sends is chosen below.
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    if (settings.endpoint() != null) {
      builder.endpointOverride(settings.endpoint());
    }
    return builder.build();
  }

  /** Fails with what an operator needs to know when the bucket cannot be used. */
  void checkBucket() {
    try {
      s3.headBucket(b -> b.bucket(bucket));
    } catch (S3Exception e) {
      throw switch (e.statusCode()) {
        case 404 ->
            new ArtifactStoreUnavailableException(
                "the bucket of "
                    + where
                    + " does not exist. Kiln does not create it: create it (for example with"
                    + " `aws s3 mb s3://"
                    + bucket
                    + "`) or set kiln.artifacts.s3.bucket to one that exists.",
                e);
        case 301, 400 ->
            new ArtifactStoreUnavailableException(
                where
                    + " answered "
                    + e.statusCode()
                    + " to a check of the bucket: is kiln.artifacts.s3.region the bucket's region,"
                    + " and kiln.artifacts.s3.path-style what the server expects?",
                e);
        case 401, 403 ->
            new ArtifactStoreUnavailableException(
                where
                    + " refused these credentials ("
                    + e.statusCode()
                    + "): check kiln.artifacts.s3.access-key and secret-key, and that they may"
                    + " read and write the bucket.",
                e);
        default ->
            new ArtifactStoreUnavailableException(
                where + " answered " + e.statusCode() + " to a check of the bucket.", e);
      };
    } catch (SdkClientException e) {
      throw new ArtifactStoreUnavailableException(
          where
              + " cannot be reached ("
              + rootMessage(e)
              + "): check kiln.artifacts.s3.endpoint and that the store is running.",
          e);
    }
  }

  @Override
  public long maxSize() {
    return maxSize;
  }

  @Override
  public Staged stage(
      InputStream body, String expectedSha256, long limit, LongFunction<ApiException> overLimit)
      throws IOException {
    Files.createDirectories(incoming);
    return UploadStaging.stage(incoming, body, expectedSha256, limit, overLimit);
  }

  /**
   * Uploads the staged file with its sha256 as checksum and as metadata. The server refuses the
   * upload when the bytes it received hash otherwise, so no corrupted object replaces a good one.
   */
  @Override
  public void commit(Staged staged, String key) {
    byte[] digest = HexFormat.of().parseHex(staged.sha256());
    try {
      s3.putObject(
          b ->
              b.bucket(bucket)
                  .key(key)
                  .contentLength(staged.size())
                  .contentType("application/octet-stream")
                  .checksumSHA256(Base64.getEncoder().encodeToString(digest))
                  .metadata(Map.of(SHA256_METADATA, staged.sha256())),
          RequestBody.fromFile(staged.file()));
    } catch (SdkException e) {
      throw unavailable("could not store " + key, e);
    }
  }

  /**
   * The object, when it exists, after a HEAD request: its size and metadata. Its bytes are read
   * when the response is written, from where a Range request starts.
   *
   * @throws ApiException 502 when the object's sha256 is not the one recorded
   */
  @Override
  public Optional<Resource> find(String key, String sha256) {
    HeadObjectResponse head;
    try {
      head = s3.headObject(b -> b.bucket(bucket).key(key));
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return Optional.empty();
      }
      throw unavailable("could not read " + key, e);
    } catch (SdkException e) {
      throw unavailable("could not read " + key, e);
    }
    String stored = head.metadata().get(SHA256_METADATA);
    if (sha256 != null && !sha256.equals(stored)) {
      throw new ApiException(
          HttpStatus.BAD_GATEWAY,
          "the artifact store's object "
              + key
              + " has sha256 "
              + stored
              + ", not the "
              + sha256
              + " recorded when it was uploaded; it is not served");
    }
    return Optional.of(
        new S3ObjectResource(
            s3, bucket, key, head.contentLength(), head.eTag(), sha256, head.lastModified()));
  }

  /** Deletes the object; S3 answers the same whether it existed or not. */
  @Override
  public void delete(String key) throws IOException {
    try {
      s3.deleteObject(b -> b.bucket(bucket).key(key));
    } catch (SdkException e) {
      throw new IOException(
          "could not delete " + key + " from " + where + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    s3.close();
  }

  private ApiException unavailable(String what, SdkException e) {
    // the store's address and the SDK's words stay in the log: callers learn only that it is away
    log.warn("{} in {}: {} ({})", what, where, e.toString(), rootMessage(e));
    return new ApiException(
        HttpStatus.SERVICE_UNAVAILABLE, "the artifact store is unavailable: " + what);
  }

  private static String describe(KilnProperties.S3 settings) {
    return "the S3 bucket \""
        + settings.bucket()
        + "\" at "
        + (settings.endpoint() == null
            ? "AWS (" + settings.region() + ")"
            : settings.endpoint().toString());
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return message == null ? root.getClass().getSimpleName() : message;
  }
}
