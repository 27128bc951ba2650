package dev.kiln.api.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LogIngestTest {

  @Test
  void truncationLineNamesTheCapAsConfiguredAndTheDroppedBytes() {
    assertThat(new String(LogIngest.truncationLine(64L << 20, 1234), StandardCharsets.UTF_8))
        .isEqualTo("log truncated at 64 MiB; 1234 bytes dropped\n");
    assertThat(LogIngest.size(512 << 10)).isEqualTo("512 KiB");
    assertThat(LogIngest.size(1000)).isEqualTo("1000 bytes");
    assertThat(LogIngest.size(3L << 20)).isEqualTo("3 MiB");
  }
}
