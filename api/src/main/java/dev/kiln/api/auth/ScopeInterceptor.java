package dev.kiln.api.auth;

import dev.kiln.api.web.ApiException;
import dev.kiln.workflows.internal.InternalPaths;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Enforces {@link RequiresScope} on every handler outside {@code /internal/**} (which {@code
 * InternalTokenInterceptor} guards with the workers' token). An interceptor, like that one, because
 * Spring MVC selects it with the same path matching that selects the handler: whatever spelling of
 * a path reaches a handler also reaches its check. A Kiln handler without a declared scope is
 * refused, never served.
 */
@Component
class ScopeInterceptor implements HandlerInterceptor, WebMvcConfigurer {

  private static final Logger log = LoggerFactory.getLogger(ScopeInterceptor.class);

  private final Access access;

  /**
   * What each handler declares, read once: looking the annotations up on every request took about
   * two percent of a run view's CPU.
   */
  private final Map<Handler, Declaration> declarations = new ConcurrentHashMap<>();

  private record Handler(Class<?> beanType, Method method) {}

  /**
   * @param open the handler admits any caller ({@link AnyCaller}, {@link ForgeSigned})
   * @param scope the scope it requires, or null
   */
  private record Declaration(boolean open, Scope scope) {
    static Declaration of(HandlerMethod method) {
      return new Declaration(
          declared(method, AnyCaller.class).isPresent()
              || declared(method, ForgeSigned.class).isPresent(),
          declared(method, RequiresScope.class).map(RequiresScope::value).orElse(null));
    }
  }

  ScopeInterceptor(Access access) {
    this.access = access;
  }

  @Override
  public void addInterceptors(InterceptorRegistry registry) {
    registry.addInterceptor(this).excludePathPatterns(InternalPaths.INTERNAL + "/**");
  }

  @Override
  public boolean preHandle(
      HttpServletRequest request, HttpServletResponse response, Object handler) {
    if (request.getDispatcherType() != DispatcherType.REQUEST) {
      // an async or error dispatch of a request that was checked when it came in
      return true;
    }
    if (!(handler instanceof HandlerMethod method)) {
      // static resources (Swagger UI): the security rules have checked the scope
      access.caller();
      return true;
    }
    Declaration declaration =
        declarations.computeIfAbsent(
            new Handler(method.getBeanType(), method.getMethod()), key -> Declaration.of(method));
    if (declaration.open()) {
      return true;
    }
    if (declaration.scope() != null) {
      access.require(declaration.scope());
      return true;
    }
    if (isKiln(method)) {
      log.error("{} declares no scope; refused", method);
      throw new ApiException(
          HttpStatus.FORBIDDEN, "this endpoint declares no scope, so nobody may call it");
    }
    // a library's handler (springdoc): the security rules have checked its scope
    access.caller();
    return true;
  }

  /** Whether a handler method or its class carries the annotation. */
  static <A extends java.lang.annotation.Annotation> Optional<A> declared(
      HandlerMethod method, Class<A> annotation) {
    A onMethod = AnnotatedElementUtils.findMergedAnnotation(method.getMethod(), annotation);
    if (onMethod != null) {
      return Optional.of(onMethod);
    }
    return Optional.ofNullable(
        AnnotatedElementUtils.findMergedAnnotation(method.getBeanType(), annotation));
  }

  static boolean isKiln(HandlerMethod method) {
    return method.getBeanType().getName().startsWith("dev.kiln.");
  }
}
