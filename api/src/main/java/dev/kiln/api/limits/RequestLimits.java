package dev.kiln.api.limits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.kiln.api.auth.Caller;
import dev.kiln.api.web.ApiException;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import java.time.Duration;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Per-token rates (Bucket4j token buckets, in this api instance's memory): requests per second and
 * rebuilds per minute. A bucket is dropped after an hour without use and starts full again.
 */
@Component
public class RequestLimits {

  private final int requestsPerSecond;
  private final int rebuildsPerMinute;
  private final Cache<Long, Bucket> requests;
  private final Cache<Long, Bucket> rebuilds;

  public RequestLimits(LimitProperties properties) {
    this.requestsPerSecond = properties.requestsPerSecond();
    this.rebuildsPerMinute = properties.rebuildsPerMinute();
    this.requests = Caffeine.newBuilder().expireAfterAccess(Duration.ofHours(1)).build();
    this.rebuilds = Caffeine.newBuilder().expireAfterAccess(Duration.ofHours(1)).build();
  }

  /**
   * Takes one request from the caller's budget.
   *
   * @return how long to wait when the budget is spent; empty when the request may go on
   */
  public Optional<Duration> takeRequest(Caller caller) {
    if (caller.isLoopback()) {
      return Optional.empty();
    }
    return take(
        requests.get(caller.tokenId(), id -> bucket(requestsPerSecond, Duration.ofSeconds(1))));
  }

  /**
   * Takes one rebuild from the caller's budget.
   *
   * @throws ApiException 429 with {@code Retry-After} when it is spent
   */
  public void takeRebuild(Caller caller) {
    if (caller.isLoopback()) {
      return;
    }
    Optional<Duration> wait =
        take(
            rebuilds.get(caller.tokenId(), id -> bucket(rebuildsPerMinute, Duration.ofMinutes(1))));
    if (wait.isPresent()) {
      throw TooManyRequests.after(
          wait.get(),
          "token \""
              + caller.name()
              + "\" started "
              + rebuildsPerMinute
              + " rebuilds in the last minute (kiln.limits.rebuilds-per-minute)");
    }
  }

  public int requestsPerSecond() {
    return requestsPerSecond;
  }

  private static Optional<Duration> take(Bucket bucket) {
    ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
    return probe.isConsumed()
        ? Optional.empty()
        : Optional.of(Duration.ofNanos(probe.getNanosToWaitForRefill()));
  }

  /** As many at once as per period, refilled evenly over the period. */
  private static Bucket bucket(int perPeriod, Duration period) {
    return Bucket.builder()
        .addLimit(limit -> limit.capacity(perPeriod).refillGreedy(perPeriod, period))
        .build();
  }
}
