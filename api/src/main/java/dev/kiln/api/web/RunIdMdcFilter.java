package dev.kiln.api.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.MDC;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/** Puts {@code run_id} into the MDC for every request about one run, public or internal. */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 20)
public class RunIdMdcFilter extends OncePerRequestFilter {

  public static final String MDC_KEY = "run_id";

  private static final Pattern RUN_PATH =
      Pattern.compile("^(?:/internal)?/runs/(\\d{1,18})(?:/|$)");

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    Matcher m = RUN_PATH.matcher(RequestPaths.of(request));
    if (!m.find()) {
      chain.doFilter(request, response);
      return;
    }
    try (MDC.MDCCloseable ignored = MDC.putCloseable(MDC_KEY, m.group(1))) {
      chain.doFilter(request, response);
    }
  }
}
