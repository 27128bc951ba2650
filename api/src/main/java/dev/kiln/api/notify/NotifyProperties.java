package dev.kiln.api.notify;

import dev.kiln.workflows.notify.NotificationRequest;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code kiln.notify.*}: how notifications are delivered.
 *
 * @param worker whether this api polls the notification queue ({@code kiln-notify}); at least one
 *     api must
 * @param initialInterval the wait before a failed delivery's second attempt
 * @param backoff the factor each later wait grows by
 * @param maxInterval the longest wait between two attempts
 * @param expiry how long after its first attempt a delivery is given up ({@code failed})
 * @param timeout how long one attempt may take to connect, and to get its answer
 */
@ConfigurationProperties("kiln.notify")
public record NotifyProperties(
    @DefaultValue("true") boolean worker,
    @DefaultValue("10s") Duration initialInterval,
    @DefaultValue("2.0") double backoff,
    @DefaultValue("1h") Duration maxInterval,
    @DefaultValue("24h") Duration expiry,
    @DefaultValue("10s") Duration timeout) {

  public NotifyProperties {
    if (initialInterval.isNegative() || initialInterval.isZero()) {
      throw new IllegalArgumentException("kiln.notify.initial-interval must be positive");
    }
    if (backoff < 1.0) {
      throw new IllegalArgumentException("kiln.notify.backoff must be at least 1.0");
    }
    if (maxInterval.compareTo(initialInterval) < 0) {
      throw new IllegalArgumentException(
          "kiln.notify.max-interval must not be shorter than kiln.notify.initial-interval");
    }
    if (expiry.compareTo(initialInterval) < 0 || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException(
          "kiln.notify.expiry must be at least kiln.notify.initial-interval, and"
              + " kiln.notify.timeout positive");
    }
  }

  NotificationRequest.Retry retry() {
    // an attempt also reads the run and writes its outcome: a little more than the HTTP deadline
    return new NotificationRequest.Retry(
        initialInterval, backoff, maxInterval, expiry, timeout.multipliedBy(2).plusSeconds(10));
  }
}
