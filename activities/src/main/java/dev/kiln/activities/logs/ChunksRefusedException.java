package dev.kiln.activities.logs;

/**
 * Thrown by a {@link ChunkTransport} when the api refuses chunks for good (a 4xx): sending them
 * again would be refused again, so the uploader drops them instead of holding up other runs' logs.
 */
public class ChunksRefusedException extends RuntimeException {

  public ChunksRefusedException(String message, Throwable cause) {
    super(message, cause);
  }
}
