package dev.kiln.api.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.api.web.ApiException;
import jakarta.servlet.DispatcherType;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.method.HandlerMethod;

class ScopeInterceptorTest {

  /** Handlers as a controller would have them. */
  static class Handlers {
    @RequiresScope(Scope.CANCEL)
    public void cancel() {}

    public void forgotten() {}

    @AnyCaller
    public void error() {}
  }

  private final ScopeInterceptor interceptor = new ScopeInterceptor(new Access());

  @AfterEach
  void clear() {
    SecurityContextHolder.clearContext();
  }

  private static HandlerMethod handler(String name) throws NoSuchMethodException {
    return new HandlerMethod(new Handlers(), Handlers.class.getMethod(name));
  }

  private boolean call(String handler) throws Exception {
    return interceptor.preHandle(
        new MockHttpServletRequest(), new MockHttpServletResponse(), handler(handler));
  }

  private static void as(Set<Scope> scopes) {
    SecurityContextHolder.getContext()
        .setAuthentication(
            new CallerAuthentication(new Caller("ci", 1L, scopes, RepoPatterns.any())));
  }

  @Test
  void aKilnHandlerThatDeclaresNoScopeIsRefusedEvenToAnAdmin() {
    as(Set.of(Scope.ADMIN));
    assertThatThrownBy(() -> call("forgotten"))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.getStatusCode().value()).isEqualTo(403);
              assertThat(e.getBody().getDetail())
                  .isEqualTo("this endpoint declares no scope, so nobody may call it");
            });
  }

  @Test
  void theDeclaredScopeIsRequiredAndAdminImpliesIt() throws Exception {
    as(Set.of(Scope.READ));
    assertThatThrownBy(() -> call("cancel"))
        .isInstanceOfSatisfying(
            ApiException.class,
            e ->
                assertThat(e.getBody().getDetail())
                    .isEqualTo("token \"ci\" lacks scope \"cancel\" (it has: read)"));
    as(Set.of(Scope.CANCEL));
    assertThat(call("cancel")).isTrue();
    as(Set.of(Scope.ADMIN));
    assertThat(call("cancel")).isTrue();
  }

  @Test
  void withoutACallerEvenAScopedHandlerIs401() {
    assertThatThrownBy(() -> call("cancel"))
        .isInstanceOfSatisfying(
            ApiException.class, e -> assertThat(e.getStatusCode().value()).isEqualTo(401));
  }

  @Test
  void theErrorPageAndTheDispatchesOfACheckedRequestPass() throws Exception {
    assertThat(call("error")).isTrue();
    MockHttpServletRequest async = new MockHttpServletRequest();
    async.setDispatcherType(DispatcherType.ASYNC);
    assertThat(interceptor.preHandle(async, new MockHttpServletResponse(), handler("forgotten")))
        .isTrue();
  }
}
