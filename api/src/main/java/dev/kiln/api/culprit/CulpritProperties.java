package dev.kiln.api.culprit;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code kiln.culprit.*}: the culprit finder.
 *
 * @param enabled whether a lane that breaks with several commits since its last pass is bisected
 * @param worker whether this api polls the culprit finder's queue ({@code kiln-culprit}); at least
 *     one api must while {@code enabled}
 */
@ConfigurationProperties("kiln.culprit")
public record CulpritProperties(
    @DefaultValue("true") boolean enabled, @DefaultValue("true") boolean worker) {}
