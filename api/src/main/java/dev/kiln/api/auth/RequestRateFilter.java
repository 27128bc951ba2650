package dev.kiln.api.auth;

import dev.kiln.api.limits.RequestLimits;
import dev.kiln.api.limits.TooManyRequests;
import dev.kiln.api.web.ProblemResponses;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/** {@code kiln.limits.requests-per-second} per token: 429 with {@code Retry-After} beyond it. */
final class RequestRateFilter extends OncePerRequestFilter {

  private final RequestLimits limits;
  private final ProblemResponses problems;

  RequestRateFilter(RequestLimits limits, ProblemResponses problems) {
    this.limits = limits;
    this.problems = problems;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
    if (authentication != null && authentication.getPrincipal() instanceof Caller caller) {
      Optional<Duration> wait = limits.takeRequest(caller);
      if (wait.isPresent()) {
        long seconds = TooManyRequests.retryAfterSeconds(wait.get());
        response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
        problems.write(
            request,
            response,
            HttpStatus.TOO_MANY_REQUESTS,
            "token \""
                + caller.name()
                + "\" sent more than "
                + limits.requestsPerSecond()
                + " requests a second (kiln.limits.requests-per-second); retry in "
                + seconds
                + " s");
        return;
      }
    }
    chain.doFilter(request, response);
  }
}
