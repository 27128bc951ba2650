package dev.kiln.dev;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerTokenTest {

  @TempDir Path tmp;

  @Test
  void isAFreshUrlSafeSecretEachTime() {
    SecureRandom random = new SecureRandom();
    WorkerToken a = WorkerToken.generate(random);
    WorkerToken b = WorkerToken.generate(random);

    assertThat(a.value()).matches("[A-Za-z0-9_-]{43}");
    assertThat(a).isNotEqualTo(b);
    assertThat(a.toString()).doesNotContain(a.value());
  }

  @Test
  void isWrittenReadableByTheOwnerOnly() throws IOException {
    Path file = tmp.resolve("worker.token");
    WorkerToken.generate(new SecureRandom()).writeTo(file);
    WorkerToken token = WorkerToken.generate(new SecureRandom());

    token.writeTo(file);

    assertThat(Files.readString(file)).isEqualTo(token.value());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
  }
}
