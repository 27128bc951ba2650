package dev.kiln.api.support;

import java.io.IOException;
import java.nio.file.Files;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The whole api as outside the dev stack: every request needs a token, loopback included. Temporal
 * is unreachable (a rebuild that gets through is recorded, then fails to start, quickly).
 * Subclasses share one application context and database.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
public abstract class StrictApi {

  @DynamicPropertySource
  static void strictProperties(DynamicPropertyRegistry registry) throws IOException {
    KilnApp.register(registry, Files.createTempDirectory("kiln-home"));
    registry.add("kiln.temporal.address", () -> "localhost:1");
    registry.add("kiln.temporal.start-timeout", () -> "300ms");
    registry.add("kiln.temporal.rpc-timeout", () -> "300ms");
    registry.add("kiln.temporal.health-timeout", () -> "300ms");
    registry.add("kiln.dispatch.poller-check-timeout", () -> "300ms");
    registry.add("kiln.auth.trust-loopback", () -> "false");
    // these tests are about who, not how often (RequestLimitsIT is about how often)
    registry.add("kiln.limits.requests-per-second", () -> "100000");
    registry.add("kiln.limits.rebuilds-per-minute", () -> "100000");
  }

  @LocalServerPort protected int port;
}
