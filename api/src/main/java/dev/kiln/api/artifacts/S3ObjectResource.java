package dev.kiln.api.artifacts;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import org.springframework.core.io.AbstractResource;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * An object of the S3 store as Spring serves it: its length is known from the HEAD request, and
 * each {@link #getInputStream} opens the object only on its first read, from wherever the caller
 * skipped to. Spring answers a Range request by skipping to the range's start and reading its
 * length, so a range becomes one ranged GET instead of a download of everything before it.
 */
final class S3ObjectResource extends AbstractResource {

  private final S3Client s3;
  private final String bucket;
  private final String key;
  private final long size;
  private final String eTag;
  private final String sha256;
  private final Instant lastModified;

  S3ObjectResource(
      S3Client s3,
      String bucket,
      String key,
      long size,
      String eTag,
      String sha256,
      Instant lastModified) {
    this.s3 = s3;
    this.bucket = bucket;
    this.key = key;
    this.size = size;
    this.eTag = eTag;
    this.sha256 = sha256;
    this.lastModified = lastModified;
  }

  @Override
  public String getDescription() {
    return "s3://" + bucket + "/" + key;
  }

  @Override
  public boolean exists() {
    return true;
  }

  @Override
  public long contentLength() {
    return size;
  }

  @Override
  public long lastModified() {
    return lastModified == null ? 0 : lastModified.toEpochMilli();
  }

  @Override
  public InputStream getInputStream() {
    return new ObjectStream();
  }

  /**
   * Reads the object lazily. Read from its start to its end, it is hashed, and the last bytes are
   * held back unless the hash is the one recorded: a client that asked for the whole object gets it
   * intact or gets a broken transfer, never altered bytes.
   */
  private final class ObjectStream extends InputStream {

    private long position;
    private ResponseInputStream<GetObjectResponse> body;
    private MessageDigest digest = sha256 == null ? null : UploadStaging.sha256();

    @Override
    public long skip(long n) throws IOException {
      if (n <= 0) {
        return 0;
      }
      if (body == null) {
        long skipped = Math.min(n, size - position);
        position += skipped;
        digest = null; // a part of the object: nothing to compare its hash with
        return skipped;
      }
      return super.skip(n);
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (position >= size) {
        return -1;
      }
      open();
      int n = body.read(b, off, len);
      if (n == -1) {
        throw new IOException(
            getDescription() + " ended after " + position + " of its " + size + " bytes");
      }
      position += n;
      if (digest != null) {
        digest.update(b, off, n);
        if (position == size) {
          verify();
        }
      }
      return n;
    }

    private void verify() throws IOException {
      String actual = HexFormat.of().formatHex(digest.digest());
      if (!actual.equals(sha256)) {
        throw new ArtifactIntegrityException(
            getDescription() + " hashes to " + actual + ", not the recorded " + sha256);
      }
    }

    /** The GET from the current position, of the version the HEAD request saw. */
    private void open() throws IOException {
      if (body != null) {
        return;
      }
      GetObjectRequest.Builder request = GetObjectRequest.builder().bucket(bucket).key(key);
      if (eTag != null) {
        request.ifMatch(eTag);
      }
      if (position > 0) {
        request.range("bytes=" + position + "-");
      }
      try {
        body = s3.getObject(request.build());
      } catch (SdkException e) {
        throw new IOException("could not read " + getDescription() + ": " + e.getMessage(), e);
      }
    }

    @Override
    public void close() throws IOException {
      if (body == null) {
        return;
      }
      if (position < size) {
        body.abort(); // the rest is not wanted: drop the connection rather than drain it
      }
      body.close();
    }
  }

  /** The bytes read from the store are not those recorded. */
  static final class ArtifactIntegrityException extends IOException {
    private static final long serialVersionUID = 1L;

    ArtifactIntegrityException(String message) {
      super(message);
    }
  }
}
