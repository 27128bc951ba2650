package dev.kiln.api.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.api.auth.Caller;
import dev.kiln.api.auth.RepoPatterns;
import dev.kiln.api.auth.Scope;
import dev.kiln.api.web.ApiException;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RequestLimitsTest {

  private static final LimitProperties LIMITS =
      new LimitProperties(5, 3, 2, 3, Duration.ofMinutes(30));

  private static Caller token(long id) {
    return new Caller("bot-" + id, id, Set.of(Scope.TRIGGER), RepoPatterns.any());
  }

  @Test
  void aTokenGetsItsBurstOfRequestsThenAWaitOfUnderASecond() {
    RequestLimits limits = new RequestLimits(LIMITS);
    for (int i = 0; i < 5; i++) {
      assertThat(limits.takeRequest(token(1))).isEmpty();
    }
    assertThat(limits.takeRequest(token(1)))
        .hasValueSatisfying(
            wait -> assertThat(wait).isPositive().isLessThan(Duration.ofSeconds(1)));
    assertThat(limits.takeRequest(token(2))).as("another token's budget").isEmpty();
    assertThat(limits.takeRequest(Caller.loopback())).as("the dev stack's loopback").isEmpty();
  }

  @Test
  void theRebuildPastAMinutesBudgetIsA429WithRetryAfter() {
    RequestLimits limits = new RequestLimits(LIMITS);
    for (int i = 0; i < 3; i++) {
      limits.takeRebuild(token(1));
    }
    assertThatThrownBy(() -> limits.takeRebuild(token(1)))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.getStatusCode().value()).isEqualTo(429);
              long retryAfter = Long.parseLong(e.getHeaders().getFirst("Retry-After"));
              // a minute's budget of 3 refills one every 20 s
              assertThat(retryAfter).isBetween(1L, 20L);
              assertThat(e.getBody().getDetail())
                  .startsWith(
                      "token \"bot-1\" started 3 rebuilds in the last minute"
                          + " (kiln.limits.rebuilds-per-minute); retry in ");
            });
    limits.takeRebuild(Caller.loopback());
  }

  @Test
  void streamsAreCountedPerTokenAndInAllAndFreedOnceEach() {
    StreamLimits streams = new StreamLimits(LIMITS);
    Runnable a = streams.open(token(1));
    Runnable b = streams.open(token(1));
    assertThatThrownBy(() -> streams.open(token(1)))
        .isInstanceOfSatisfying(
            ApiException.class,
            e ->
                assertThat(e.getBody().getDetail())
                    .startsWith("token \"bot-1\" has 2 log streams open, its limit"));
    Runnable c = streams.open(token(2));
    assertThatThrownBy(() -> streams.open(Caller.loopback()))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.getStatusCode().value()).isEqualTo(429);
              assertThat(e.getHeaders().getFirst("Retry-After")).isEqualTo("10");
            });
    assertThat(streams.open()).isEqualTo(3);

    a.run();
    a.run();
    assertThat(streams.open()).isEqualTo(2);
    Runnable d = streams.open(token(1));
    b.run();
    c.run();
    d.run();
    assertThat(streams.open()).isZero();
  }

  @Test
  void retryAfterIsWholeSecondsAndAtLeastOne() {
    assertThat(TooManyRequests.retryAfterSeconds(Duration.ofMillis(1))).isEqualTo(1);
    assertThat(TooManyRequests.retryAfterSeconds(Duration.ofMillis(1001))).isEqualTo(2);
    assertThat(TooManyRequests.retryAfterSeconds(Duration.ZERO)).isEqualTo(1);
  }
}
