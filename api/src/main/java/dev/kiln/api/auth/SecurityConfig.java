package dev.kiln.api.auth;

import dev.kiln.api.limits.RequestLimits;
import dev.kiln.api.web.ApiPaths;
import dev.kiln.api.web.LogSafe;
import dev.kiln.api.web.ProblemResponses;
import dev.kiln.workflows.internal.InternalPaths;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.annotation.web.configuration.WebSecurityCustomizer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.context.RequestAttributeSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * Who may call what. Every request needs a caller (an API token, or loopback trust on the dev
 * stack) except {@code GET /actuator/health}, which then shows only the status, {@code
 * /internal/**}, which {@code InternalTokenInterceptor} admits with the workers' token only, and
 * {@code POST /hooks/*}, which checks each forge delivery's signature ({@link ForgeSigned}).
 *
 * <p>The scope each Kiln endpoint needs is declared on its handler ({@link RequiresScope}) and
 * checked by {@link ScopeInterceptor}, which Spring MVC selects by the same path matching that
 * selects the handler; the rules here cover what has no Kiln handler: actuator, the OpenAPI
 * document and Swagger UI.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSecurity
public class SecurityConfig {

  /** A path pattern and the scope it needs, beyond being authenticated. */
  private record Rule(RequestMatcher matcher, Scope scope) {}

  private static final PathPatternRequestMatcher.Builder PATHS =
      PathPatternRequestMatcher.withDefaults();

  static final RequestMatcher WORKER_PATHS = PATHS.matcher(InternalPaths.INTERNAL + "/**");

  /** Forge webhooks: no caller; each delivery is checked against its repository's secret. */
  static final RequestMatcher HOOK_PATHS = PATHS.matcher(HttpMethod.POST, ApiPaths.HOOKS + "/*");

  static final RequestMatcher HEALTH = PATHS.matcher(HttpMethod.GET, "/actuator/health");

  private static final List<Rule> RULES =
      List.of(
          new Rule(PATHS.matcher("/actuator/**"), Scope.METRICS),
          new Rule(
              new OrRequestMatcher(
                  PATHS.matcher("/v3/api-docs"),
                  PATHS.matcher("/v3/api-docs/**"),
                  PATHS.matcher("/v3/api-docs.yaml"),
                  PATHS.matcher("/swagger-ui.html"),
                  PATHS.matcher("/swagger-ui/**")),
              Scope.READ));

  @Bean
  SecurityFilterChain kilnSecurity(
      HttpSecurity http,
      ApiTokens tokens,
      AuthProperties auth,
      RequestLimits limits,
      ProblemResponses problems)
      throws Exception {
    SecurityContextRepository contexts = new RequestAttributeSecurityContextRepository();
    TokenAuthenticationFilter authentication =
        new TokenAuthenticationFilter(
            tokens,
            auth.trustLoopback(),
            new OrRequestMatcher(WORKER_PATHS, HOOK_PATHS),
            contexts,
            problems);
    http.csrf(csrf -> csrf.disable())
        .formLogin(form -> form.disable())
        .httpBasic(basic -> basic.disable())
        .logout(logout -> logout.disable())
        .requestCache(cache -> cache.disable())
        .anonymous(anonymous -> anonymous.disable())
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .securityContext(context -> context.securityContextRepository(contexts))
        // defaults: nosniff, X-Frame-Options DENY, no caching of answers; the run page adds its
        // own Content-Security-Policy
        .headers(
            headers ->
                headers.referrerPolicy(
                    referrer ->
                        referrer.policy(ReferrerPolicyHeaderWriter.ReferrerPolicy.NO_REFERRER)))
        .exceptionHandling(
            errors ->
                errors
                    .authenticationEntryPoint(
                        (request, response, e) ->
                            unauthenticated(request, response, auth, problems))
                    .accessDeniedHandler(
                        (request, response, e) -> forbidden(request, response, problems)))
        .addFilterBefore(authentication, AuthorizationFilter.class)
        .addFilterAfter(new RequestRateFilter(limits, problems), TokenAuthenticationFilter.class)
        .authorizeHttpRequests(
            requests -> {
              requests
                  .dispatcherTypeMatchers(DispatcherType.ASYNC, DispatcherType.ERROR)
                  .permitAll()
                  .requestMatchers(WORKER_PATHS)
                  .permitAll()
                  .requestMatchers(HOOK_PATHS)
                  .permitAll()
                  .requestMatchers(HEALTH)
                  .permitAll();
              for (Rule rule : RULES) {
                requests.requestMatchers(rule.matcher()).hasAuthority(rule.scope().authority());
              }
              requests.anyRequest().authenticated();
            });
    return http.build();
  }

  /**
   * No Micrometer observation of each security filter and authorization: they were about a tenth of
   * a run view's CPU (profiled under wrk), and nothing reads them. Each request is still observed
   * as a whole ({@code http.server.requests}).
   */
  @Bean
  SecurityObservationSettings noSecurityObservations() {
    return SecurityObservationSettings.noObservations();
  }

  /** Paths the firewall refuses ({@code //}, {@code ;}, {@code %2f}, …): 400 problem+json. */
  @Bean
  WebSecurityCustomizer problemOnRejectedRequest(ProblemResponses problems) {
    return web ->
        web.requestRejectedHandler(
            (request, response, e) -> rejected(request, response, e, problems));
  }

  private static void rejected(
      HttpServletRequest request,
      HttpServletResponse response,
      RequestRejectedException e,
      ProblemResponses problems)
      throws IOException {
    response.setHeader("X-Content-Type-Options", "nosniff");
    problems.write(
        request,
        response,
        HttpStatus.BAD_REQUEST,
        "the request path is not in canonical form (" + LogSafe.escape(e.getMessage()) + ")");
  }

  private static void unauthenticated(
      HttpServletRequest request,
      HttpServletResponse response,
      AuthProperties auth,
      ProblemResponses problems)
      throws IOException {
    response.setHeader(HttpHeaders.WWW_AUTHENTICATE, Unauthorized.missingTokenChallenge());
    String detail = Unauthorized.missingToken().getBody().getDetail();
    if (auth.trustLoopback()) {
      detail +=
          "; this api trusts requests without a token only from this machine, with a loopback"
              + " Host and no other Origin (this one: Host "
              + LogSafe.escape(String.valueOf(request.getHeader(HttpHeaders.HOST)))
              + (request.getHeader(HttpHeaders.ORIGIN) == null
                  ? ""
                  : ", Origin " + LogSafe.escape(request.getHeader(HttpHeaders.ORIGIN)))
              + ")";
    }
    problems.write(request, response, HttpStatus.UNAUTHORIZED, detail);
  }

  private static void forbidden(
      HttpServletRequest request, HttpServletResponse response, ProblemResponses problems)
      throws IOException {
    Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
    String who =
        authentication != null && authentication.getPrincipal() instanceof Caller caller
            ? caller.name()
            : "?";
    Scope scope =
        RULES.stream()
            .filter(rule -> rule.matcher().matches(request))
            .map(Rule::scope)
            .findFirst()
            .orElse(Scope.ADMIN);
    response.setHeader(
        HttpHeaders.WWW_AUTHENTICATE,
        "Bearer realm=\""
            + Unauthorized.REALM
            + "\", error=\"insufficient_scope\", scope=\""
            + scope.wireName()
            + "\"");
    problems.write(
        request,
        response,
        HttpStatus.FORBIDDEN,
        "token \"" + who + "\" lacks scope \"" + scope.wireName() + "\"");
  }
}
