package dev.kiln.api.auth;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/** A {@link Caller} as Spring Security holds it; its authorities are the caller's scopes. */
final class CallerAuthentication extends AbstractAuthenticationToken {

  private final Caller caller;

  // one list per set of scopes: a request's authentication costs no list of its own
  private static final Map<Set<Scope>, List<GrantedAuthority>> AUTHORITIES =
      new ConcurrentHashMap<>();

  CallerAuthentication(Caller caller) {
    super(authorities(caller.effectiveScopes()));
    this.caller = caller;
    setAuthenticated(true);
  }

  private static List<GrantedAuthority> authorities(Set<Scope> scopes) {
    return AUTHORITIES.computeIfAbsent(
        scopes,
        s ->
            s.stream()
                .map(scope -> (GrantedAuthority) new SimpleGrantedAuthority(scope.authority()))
                .toList());
  }

  @Override
  public Object getCredentials() {
    return "";
  }

  @Override
  public Caller getPrincipal() {
    return caller;
  }

  @Override
  public String getName() {
    return caller.name();
  }
}
