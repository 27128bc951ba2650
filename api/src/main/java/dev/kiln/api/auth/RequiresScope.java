package dev.kiln.api.auth;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The scope a caller needs for this endpoint. Every public Kiln handler carries one (or {@link
 * AnyCaller}): {@link ScopeInterceptor} refuses a handler that declares neither, so a new endpoint
 * cannot be left open by forgetting it. Endpoints about one run also check the run's repository
 * against the token's patterns ({@link Access#require(Scope, String)}).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface RequiresScope {
  Scope value();
}
