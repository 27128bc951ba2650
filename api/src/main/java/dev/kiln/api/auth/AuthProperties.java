package dev.kiln.api.auth;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code kiln.auth.*}: who may call the api.
 *
 * @param trustLoopback trust requests from this machine without a token when their {@code Host} and
 *     {@code Origin} are loopback too; the dev stack sets it, nothing else should
 * @param tokenCache how long an api instance keeps what it read about a token; a token deleted on
 *     another instance stops working there within this time (at once on the one that deleted it)
 * @param tokenLifetime how long a new token is valid unless its request says otherwise; {@code 0}:
 *     forever
 * @param bootstrapToken make the installation's first admin token at the first start
 * @param bootstrapTokenFile where that token is written, readable by its owner only; {@code
 *     <kiln.home>/admin.token} when unset
 */
@ConfigurationProperties("kiln.auth")
public record AuthProperties(
    @DefaultValue("false") boolean trustLoopback,
    @DefaultValue("10s") Duration tokenCache,
    @DefaultValue("90d") Duration tokenLifetime,
    @DefaultValue("true") boolean bootstrapToken,
    Path bootstrapTokenFile) {

  public AuthProperties {
    if (tokenCache.isNegative()) {
      throw new IllegalArgumentException("kiln.auth.token-cache must not be negative");
    }
    if (tokenLifetime.isNegative()) {
      throw new IllegalArgumentException("kiln.auth.token-lifetime must not be negative");
    }
  }
}
