package dev.kiln.api.web;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.swagger.v3.core.jackson.ModelResolver;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import org.springdoc.core.providers.ObjectMapperProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The OpenAPI document at {@code /v3/api-docs}. */
@Configuration(proxyBeanMethods = false)
class OpenApiConfig {

  @Bean
  OpenAPI kilnOpenApi() {
    return new OpenAPI()
        .info(
            new Info()
                .title("Kiln api")
                .description(
                    "Starts rebuilds and serves runs, logs and artifacts. Errors are"
                        + " application/problem+json (RFC 9457); times are RFC 3339 UTC.")
                .version("v1"));
  }

  /**
   * springdoc reads schemas with swagger-core's own (Jackson 2) mapper, which knows nothing of
   * {@code spring.jackson.*}: without this the document would show camelCase fields while the wire
   * carries snake_case.
   */
  @Bean
  ModelResolver snakeCaseModelResolver(ObjectMapperProvider mappers) {
    return new ModelResolver(
        mappers.jsonMapper().copy().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE));
  }
}
