package dev.kiln.api.support;

import java.nio.file.Path;
import org.springframework.test.context.DynamicPropertyRegistry;

/** Properties for a full api under test: a fresh database and a Kiln home of its own. */
public final class KilnApp {

  private KilnApp() {}

  public static void register(DynamicPropertyRegistry registry, Path home) {
    String url = TestPostgres.newDatabaseUrl();
    registry.add("spring.datasource.url", () -> url);
    registry.add("spring.datasource.username", () -> TestPostgres.USER);
    registry.add("kiln.home", home::toString);
    registry.add("kiln.internal.token", () -> TestProperties.TOKEN);
  }
}
