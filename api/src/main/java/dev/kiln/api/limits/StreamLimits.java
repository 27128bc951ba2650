package dev.kiln.api.limits;

import dev.kiln.api.auth.Caller;
import dev.kiln.api.web.ApiException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Component;

/**
 * How many log streams (SSE) are open, per token and in all: every open stream holds a connection
 * and its buffers for as long as its run builds, so a client that opens thousands could exhaust the
 * api's memory and connections for everyone.
 */
@Component
public class StreamLimits implements MeterBinder {

  /** What a client refused a stream is told to wait; streams end as their runs do. */
  static final Duration RETRY_AFTER = Duration.ofSeconds(10);

  private final int perToken;
  private final int overall;
  private final AtomicInteger open = new AtomicInteger();
  private final Map<Long, Integer> openPerToken = new ConcurrentHashMap<>();

  public StreamLimits(LimitProperties properties) {
    this.perToken = properties.streamsPerToken();
    this.overall = properties.streams();
  }

  /**
   * Counts a stream the caller opens.
   *
   * @return releases it, once however often it is called
   * @throws ApiException 429 with {@code Retry-After} when the caller's or the api's limit is
   *     reached
   */
  public Runnable open(Caller caller) {
    if (open.incrementAndGet() > overall) {
      open.decrementAndGet();
      throw TooManyRequests.after(
          RETRY_AFTER,
          "this api has " + overall + " log streams open, its limit (kiln.limits.streams)");
    }
    if (caller.isLoopback()) {
      return once(open::decrementAndGet);
    }
    long token = caller.tokenId();
    boolean[] admitted = new boolean[1];
    // counted inside compute(), so concurrent opens of one token cannot overshoot its limit
    openPerToken.compute(
        token,
        (id, count) -> {
          int now = count == null ? 0 : count;
          if (now >= perToken) {
            return count;
          }
          admitted[0] = true;
          return now + 1;
        });
    if (!admitted[0]) {
      open.decrementAndGet();
      throw TooManyRequests.after(
          RETRY_AFTER,
          "token \""
              + caller.name()
              + "\" has "
              + perToken
              + " log streams open, its limit (kiln.limits.streams-per-token)");
    }
    return once(
        () -> {
          openPerToken.computeIfPresent(token, (id, count) -> count <= 1 ? null : count - 1);
          open.decrementAndGet();
        });
  }

  /** Open streams in all, for tests and metrics. */
  public int open() {
    return open.get();
  }

  /** {@code kiln_log_streams} in Prometheus' exposition. */
  @Override
  public void bindTo(MeterRegistry registry) {
    Gauge.builder("kiln.log.streams", open, AtomicInteger::get)
        .description("log streams (SSE) open in this api instance")
        .register(registry);
  }

  private static Runnable once(Runnable release) {
    AtomicBoolean done = new AtomicBoolean();
    return () -> {
      if (done.compareAndSet(false, true)) {
        release.run();
      }
    };
  }
}
