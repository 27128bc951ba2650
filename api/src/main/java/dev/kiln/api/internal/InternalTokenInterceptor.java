package dev.kiln.api.internal;

import dev.kiln.api.config.KilnProperties;
import dev.kiln.api.web.ApiException;
import dev.kiln.workflows.internal.InternalPaths;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Admits requests to {@code /internal/**} only with {@code Authorization: Bearer
 * <kiln.internal.token>}.
 *
 * <p>An interceptor rather than a servlet filter on purpose: it is selected by the same path
 * matching that selects the controller, so no spelling of the path ({@code /%69nternal/…}, {@code
 * /internal;x=y/…}) can reach an internal endpoint around it. It runs before the handler reads the
 * body, so an unauthenticated client cannot make the api read one.
 */
@Component
class InternalTokenInterceptor implements HandlerInterceptor, WebMvcConfigurer {

  private static final String BEARER = "bearer ";

  // Compared as digests: MessageDigest.isEqual is constant-time only for inputs of equal length,
  // and hashing first keeps the token's length from leaking too.
  private final byte[] expectedDigest;

  InternalTokenInterceptor(KilnProperties properties) {
    this.expectedDigest = digest(properties.internal().token());
  }

  @Override
  public void addInterceptors(InterceptorRegistry registry) {
    registry.addInterceptor(this).addPathPatterns(InternalPaths.INTERNAL + "/**");
  }

  @Override
  public boolean preHandle(
      HttpServletRequest request, HttpServletResponse response, Object handler) {
    String header = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      throw unauthorized(
          "missing bearer token: /internal needs 'Authorization: Bearer <kiln.internal.token>'");
    }
    String token = header.substring(BEARER.length()).trim();
    if (!MessageDigest.isEqual(digest(token), expectedDigest)) {
      throw unauthorized("invalid bearer token");
    }
    return true;
  }

  private static ApiException unauthorized(String detail) {
    ApiException e = new ApiException(HttpStatus.UNAUTHORIZED, detail);
    e.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"kiln-internal\"");
    return e;
  }

  private static byte[] digest(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
