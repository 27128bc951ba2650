package dev.kiln.dev;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretsKeyFileTest {

  @TempDir Path home;

  @Test
  void theFirstStartMakesAnOwnerOnlyKeyOfThirtyTwoBytesAndLaterStartsKeepIt() throws Exception {
    Path file = SecretsKeyFile.ensure(home, Map.of(), new SecureRandom()).orElseThrow();
    String key = Files.readString(file);

    assertThat(file).isEqualTo(home.resolve("secrets.key"));
    assertThat(Base64.getDecoder().decode(key)).hasSize(32);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(SecretsKeyFile.ensure(home, Map.of(), new SecureRandom())).contains(file);
    assertThat(Files.readString(file))
        .as("kept: secrets stored under it stay readable")
        .isEqualTo(key);
    assertThat(SecretsKeyFile.existing(home, Map.of())).contains(file);
  }

  @Test
  void aKeyConfiguredInTheEnvironmentMeansNoFile() {
    Map<String, String> env = Map.of("KILN_SECRETS_KEY", "configured");

    assertThat(SecretsKeyFile.ensure(home, env, new SecureRandom())).isEmpty();
    assertThat(home.resolve("secrets.key")).doesNotExist();
    assertThat(SecretsKeyFile.existing(home, Map.of())).isEmpty();
  }
}
