package dev.kiln.api.support;

import dev.kiln.api.config.KilnProperties;
import dev.kiln.workflows.connection.TemporalTls;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.springframework.util.unit.DataSize;

/** {@link KilnProperties} with the defaults, for tests that wire classes by hand. */
public final class TestProperties {

  public static final String TOKEN = "test-token";

  private TestProperties() {}

  public static KilnProperties kiln(Path home) {
    return new KilnProperties(
        home,
        new KilnProperties.Internal(TOKEN, DataSize.ofMegabytes(8)),
        new KilnProperties.Temporal(
            "localhost:7233",
            "default",
            URI.create("http://localhost:8233"),
            Duration.ofSeconds(10),
            Duration.ofSeconds(10),
            Duration.ofSeconds(2),
            TemporalTls.none(),
            null),
        new KilnProperties.Repos(false, List.of(), false),
        List.of("x86_64", "aarch64"),
        new KilnProperties.Artifacts(DataSize.ofGigabytes(1), 1000, DataSize.ofGigabytes(10)),
        new KilnProperties.Http(DataSize.ofMegabytes(1)),
        new KilnProperties.Logs(DataSize.ofMegabytes(64), Duration.ofSeconds(15)),
        new KilnProperties.Dispatch(Duration.ofMinutes(5), Duration.ofSeconds(2)),
        null);
  }
}
