package dev.kiln.api.auth;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A forge's webhook endpoint: it has no caller and no scope. Every delivery proves itself with the
 * registered repository's webhook secret (an HMAC signature of its body, or the secret as a
 * header), which the handler checks before acting on it.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface ForgeSigned {}
