package dev.kiln.api.auth;

import dev.kiln.api.web.DatabaseUnavailable;
import dev.kiln.api.web.ProblemResponses;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Finds out who sent a request: the API token in {@code Authorization: Bearer kiln_…}, or, where
 * {@code kiln.auth.trust-loopback} is set, a client on this machine ({@link LoopbackTrust}). A
 * token that is malformed, unknown, expired or deleted is a 401 at once, never a fallback to
 * loopback trust. A request without either goes on unauthenticated, and the authorization rules
 * answer 401 wherever a caller is needed.
 *
 * <p>{@code /internal/**} carries the workers' token, which {@code InternalTokenInterceptor}
 * checks, and {@code /hooks/**} a forge's signature, which the hook checks with the repository's
 * webhook secret; this filter leaves both alone.
 */
final class TokenAuthenticationFilter extends OncePerRequestFilter {

  private static final Logger log = LoggerFactory.getLogger(TokenAuthenticationFilter.class);

  private static final String BEARER = "bearer ";

  private final ApiTokens tokens;
  private final boolean trustLoopback;

  /** Paths authenticated otherwise: the workers' token, a forge's signature. */
  private final RequestMatcher workerPaths;

  private final SecurityContextRepository contexts;
  private final ProblemResponses problems;

  TokenAuthenticationFilter(
      ApiTokens tokens,
      boolean trustLoopback,
      RequestMatcher workerPaths,
      SecurityContextRepository contexts,
      ProblemResponses problems) {
    this.tokens = tokens;
    this.trustLoopback = trustLoopback;
    this.workerPaths = workerPaths;
    this.contexts = contexts;
    this.problems = problems;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    if (workerPaths.matches(request)) {
      chain.doFilter(request, response);
      return;
    }
    String header = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (header != null) {
      if (!header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
        refuse(request, response, "the Authorization header must be 'Bearer <token>'");
        return;
      }
      ApiTokens.Verdict verdict;
      try {
        verdict = tokens.authenticate(header.substring(BEARER.length()).trim());
      } catch (RuntimeException e) {
        if (!DatabaseUnavailable.isCause(e)) {
          throw e;
        }
        log.warn("cannot look up a token: {}", e.getMessage());
        response.setHeader(
            HttpHeaders.RETRY_AFTER, Long.toString(DatabaseUnavailable.RETRY_AFTER.toSeconds()));
        problems.write(
            request, response, HttpStatus.SERVICE_UNAVAILABLE, DatabaseUnavailable.DETAIL);
        return;
      }
      if (verdict instanceof ApiTokens.Verdict.Refused refused) {
        refuse(request, response, refused.reason());
        return;
      }
      authenticate(((ApiTokens.Verdict.Accepted) verdict).caller(), request, response);
    } else if (trustLoopback && LoopbackTrust.trusts(request)) {
      authenticate(Caller.loopback(), request, response);
    }
    chain.doFilter(request, response);
  }

  private void authenticate(
      Caller caller, HttpServletRequest request, HttpServletResponse response) {
    SecurityContext context = SecurityContextHolder.createEmptyContext();
    context.setAuthentication(new CallerAuthentication(caller));
    SecurityContextHolder.setContext(context);
    // kept on the request, so async and error dispatches of it know the caller too
    contexts.saveContext(context, request, response);
  }

  private void refuse(HttpServletRequest request, HttpServletResponse response, String why)
      throws IOException {
    response.setHeader(
        HttpHeaders.WWW_AUTHENTICATE,
        "Bearer realm=\""
            + Unauthorized.REALM
            + "\", error=\"invalid_token\", error_description=\""
            + why.replace("\"", "'")
            + "\"");
    problems.write(request, response, HttpStatus.UNAUTHORIZED, why);
  }
}
