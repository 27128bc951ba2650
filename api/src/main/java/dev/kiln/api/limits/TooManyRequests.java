package dev.kiln.api.limits;

import dev.kiln.api.web.ApiException;
import java.time.Duration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;

/** 429 with {@code Retry-After} in whole seconds, at least one. */
public final class TooManyRequests {

  private TooManyRequests() {}

  public static ApiException after(Duration wait, String detail) {
    long seconds = retryAfterSeconds(wait);
    ApiException e =
        new ApiException(HttpStatus.TOO_MANY_REQUESTS, detail + "; retry in " + seconds + " s")
            .with("retry_after_s", seconds);
    e.getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
    return e;
  }

  public static long retryAfterSeconds(Duration wait) {
    long millis = Math.max(0, wait.toMillis());
    return Math.max(1, (millis + 999) / 1000);
  }
}
