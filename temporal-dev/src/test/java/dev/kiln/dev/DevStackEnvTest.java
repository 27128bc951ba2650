package dev.kiln.dev;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.dev.DevStackConfig.DataSourceSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevStackEnvTest {

  @TempDir Path tmp;

  @Test
  void shellThatSourcesTheFileSeesTheExactValues() throws IOException, InterruptedException {
    Path file = tmp.resolve(DevStackEnv.FILE_NAME);
    DevStackEnv.write(
        file,
        DevStackEnv.variables(
            "http://127.0.0.1:8080",
            "127.0.0.1:7233",
            new DataSourceSettings(
                "jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "it's $x"),
            tmp.resolve("worker.token")));

    Process shell =
        new ProcessBuilder(
                "sh",
                "-c",
                ". \"$1\" && printf '%s|%s' \"$SPRING_DATASOURCE_PASSWORD\" \"$KILN_API_URL\"",
                "sh",
                file.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(shell.getInputStream().readAllBytes());
    shell.waitFor(10, TimeUnit.SECONDS);

    assertThat(out).isEqualTo("it's $x|http://127.0.0.1:8080");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
  }

  @Test
  void readGivesBackWhatWriteWroteQuotesAndAll() {
    Path file = tmp.resolve(DevStackEnv.FILE_NAME);
    var written =
        DevStackEnv.variables(
            "http://127.0.0.1:8080",
            "127.0.0.1:7233",
            new DataSourceSettings("jdbc:postgresql://127.0.0.1:5432/kiln", "postgres", "it's $x"),
            tmp.resolve("worker.token"));
    DevStackEnv.write(file, written);

    assertThat(DevStackEnv.read(file)).containsExactlyEntriesOf(written);
  }
}
