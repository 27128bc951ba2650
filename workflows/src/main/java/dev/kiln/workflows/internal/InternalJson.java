package dev.kiln.workflows.internal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * How the worker writes and reads {@link InternalBodies} (Jackson 2, the version the Temporal SDK
 * brings): snake_case names as the api uses (its {@code spring.jackson.property-naming-strategy}),
 * instants as RFC 3339 text, and unknown fields in an answer ignored so an api newer than the
 * worker can add some.
 */
public final class InternalJson {

  private InternalJson() {}

  public static ObjectMapper newMapper() {
    return new ObjectMapper()
        .registerModule(new JavaTimeModule())
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
  }
}
