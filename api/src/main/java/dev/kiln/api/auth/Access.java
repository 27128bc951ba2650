package dev.kiln.api.auth;

import dev.kiln.api.web.ApiException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;

/**
 * The checks handlers make about the request's {@link Caller}: a scope, and a scope on one
 * repository. A refusal is a 403 whose detail names the missing scope or the repository.
 */
@Component
public class Access {

  /**
   * The caller of the current request.
   *
   * @throws ApiException 401 when the request was not authenticated (a handler reached around the
   *     security filters; it never is)
   */
  public Caller caller() {
    Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
    if (authentication != null && authentication.getPrincipal() instanceof Caller caller) {
      return caller;
    }
    throw Unauthorized.missingToken();
  }

  /**
   * @throws ApiException 403 naming the scope
   */
  public Caller require(Scope scope) {
    Caller caller = caller();
    if (!caller.has(scope)) {
      throw missingScope(caller, scope);
    }
    return caller;
  }

  /**
   * The scope, on this repository.
   *
   * @throws ApiException 403 naming the scope, or the repository
   */
  public Caller require(Scope scope, String repo) {
    Caller caller = require(scope);
    if (!caller.mayAccess(repo)) {
      throw otherRepository(caller, scope, repo);
    }
    return caller;
  }

  static ApiException missingScope(Caller caller, Scope scope) {
    ApiException e =
        new ApiException(
                HttpStatus.FORBIDDEN,
                "token \""
                    + caller.name()
                    + "\" lacks scope \""
                    + scope.wireName()
                    + "\" (it has: "
                    + scopeList(caller)
                    + ")")
            .with("missing_scope", scope.wireName());
    e.getHeaders()
        .set(
            HttpHeaders.WWW_AUTHENTICATE,
            "Bearer realm=\"kiln\", error=\"insufficient_scope\", scope=\""
                + scope.wireName()
                + "\"");
    return e;
  }

  static ApiException otherRepository(Caller caller, Scope scope, String repo) {
    return new ApiException(
            HttpStatus.FORBIDDEN,
            "token \""
                + caller.name()
                + "\" may not "
                + verb(scope)
                + " repository "
                + repo
                + " (its repositories: "
                + caller.repos()
                + ")")
        .with("repository", repo);
  }

  private static String scopeList(Caller caller) {
    return caller.scopes().isEmpty()
        ? "none"
        : String.join(", ", caller.scopes().stream().map(Scope::wireName).sorted().toList());
  }

  private static String verb(Scope scope) {
    return switch (scope) {
      case READ -> "read runs of";
      case TRIGGER -> "trigger builds of";
      case CANCEL -> "cancel runs of";
      case URGENT -> "run urgent builds of";
      case METRICS, ADMIN -> "act on";
    };
  }
}
