package dev.kiln.api.retry;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code kiln.retry.*}: what Kiln retries by itself.
 *
 * @param infrastructureAttempts how many automatic retries a run that failed for a reason outside
 *     its code (a lost host, a repository that could not be fetched) gets in a row: its retry is
 *     retried again while the chain of automatic retries is shorter than this; {@code 0} turns
 *     automatic retries off
 */
@ConfigurationProperties("kiln.retry")
public record RetryProperties(@DefaultValue("1") int infrastructureAttempts) {

  static final int MAX_ATTEMPTS = 10;

  public RetryProperties {
    if (infrastructureAttempts < 0 || infrastructureAttempts > MAX_ATTEMPTS) {
      throw new IllegalArgumentException(
          "kiln.retry.infrastructure-attempts must be between 0 (no automatic retries) and "
              + MAX_ATTEMPTS
              + ", got "
              + infrastructureAttempts);
    }
  }
}
