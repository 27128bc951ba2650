package dev.kiln.api.limits;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code kiln.limits.*}: what one API token may use. Requests trusted without a token (the dev
 * stack's loopback) have no per-token limits; the limit on all log streams holds for everyone.
 *
 * @param requestsPerSecond requests per second per token, with bursts of as many
 * @param rebuildsPerMinute {@code POST /rebuild} per minute per token, with bursts of as many
 * @param streamsPerToken log streams (SSE) open at once per token
 * @param streams log streams open at once in this api instance, from anyone
 * @param streamIdleTimeout a log stream that has sent no log line or phase for this long is ended;
 *     an EventSource reconnects on its own with {@code Last-Event-ID}
 */
@ConfigurationProperties("kiln.limits")
public record LimitProperties(
    @DefaultValue("100") int requestsPerSecond,
    @DefaultValue("60") int rebuildsPerMinute,
    @DefaultValue("50") int streamsPerToken,
    @DefaultValue("2000") int streams,
    @DefaultValue("30m") Duration streamIdleTimeout) {

  public LimitProperties {
    positive("requests-per-second", requestsPerSecond);
    positive("rebuilds-per-minute", rebuildsPerMinute);
    positive("streams-per-token", streamsPerToken);
    positive("streams", streams);
    if (streamIdleTimeout.isNegative() || streamIdleTimeout.isZero()) {
      throw new IllegalArgumentException("kiln.limits.stream-idle-timeout must be positive");
    }
  }

  private static void positive(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException("kiln.limits." + name + " must be at least 1");
    }
  }
}
