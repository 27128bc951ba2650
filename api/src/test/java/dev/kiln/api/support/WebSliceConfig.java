package dev.kiln.api.support;

import dev.kiln.api.auth.Access;
import dev.kiln.api.auth.ApiTokens;
import dev.kiln.api.auth.AuthProperties;
import dev.kiln.api.auth.SecurityConfig;
import dev.kiln.api.auth.TokenStore;
import dev.kiln.api.config.KilnProperties;
import dev.kiln.api.limits.LimitProperties;
import dev.kiln.api.limits.RequestLimits;
import dev.kiln.api.limits.StreamLimits;
import dev.kiln.api.web.ProblemResponses;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

/**
 * What every {@code @WebMvcTest} slice needs besides its controller: the filters (which the slice
 * includes) read {@link KilnProperties} and write problems through {@link ProblemResponses}; the
 * security filters and the scope checks are the api's own. Slices call from loopback, which the
 * test profile trusts as the dev stack does, so their requests need no token and no token is ever
 * looked up: the token store has no database behind it.
 */
@TestConfiguration(proxyBeanMethods = false)
@EnableConfigurationProperties({KilnProperties.class, AuthProperties.class, LimitProperties.class})
@Import({
  ProblemResponses.class,
  SecurityConfig.class,
  ApiTokens.class,
  Access.class,
  RequestLimits.class,
  StreamLimits.class
})
public class WebSliceConfig {

  @Bean
  TokenStore noTokens() {
    return new TokenStore(JdbcClient.create(new SimpleDriverDataSource()));
  }
}
