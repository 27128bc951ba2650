package dev.kiln.cli.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.cli.CliFailure;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliConfigTest {

  @TempDir Path home;

  private void writeConfig(String... lines) throws IOException {
    Path file = home.resolve(".config/kiln/config");
    Files.createDirectories(file.getParent());
    Files.write(file, List.of(lines));
  }

  @Test
  void withoutEnvironmentOrFileItIsTheLocalDevStackWithoutAToken() {
    CliConfig config = CliConfig.load(Map.of(), home);

    assertThat(config.url()).isEqualTo(URI.create("http://localhost:8080"));
    assertThat(config.token()).isEmpty();
  }

  @Test
  void theFileIsReadWithCommentsBlankLinesAndSpacesAroundEqualsIgnored() throws IOException {
    writeConfig("# my Kiln", "", "url = https://kiln.example.com/ ", "token=kiln_abc");

    CliConfig config = CliConfig.load(Map.of(), home);

    assertThat(config.url()).isEqualTo(URI.create("https://kiln.example.com"));
    assertThat(config.token()).contains("kiln_abc");
  }

  @Test
  void theEnvironmentWinsOverTheFileKeyByKey() throws IOException {
    writeConfig("KILN_URL=https://from-file.example.com", "KILN_TOKEN=kiln_file");

    CliConfig config = CliConfig.load(Map.of("KILN_TOKEN", "kiln_env"), home);

    assertThat(config.url()).isEqualTo(URI.create("https://from-file.example.com"));
    assertThat(config.token()).isEqualTo(Optional.of("kiln_env"));
    assertThat(CliConfig.load(Map.of("KILN_URL", "http://127.0.0.1:9000"), home).url())
        .isEqualTo(URI.create("http://127.0.0.1:9000"));
  }

  @Test
  void xdgConfigHomeMovesTheFile() throws IOException {
    Path xdg = Files.createDirectories(home.resolve("xdg/kiln"));
    Files.writeString(xdg.resolve("config"), "url=http://10.0.0.1:8080\n");

    CliConfig config =
        CliConfig.load(Map.of("XDG_CONFIG_HOME", home.resolve("xdg").toString()), home);

    assertThat(config.url()).isEqualTo(URI.create("http://10.0.0.1:8080"));
  }

  @Test
  void anUnknownKeyIsRefusedNamingTheFileAndLine() throws IOException {
    writeConfig("url=http://localhost:8080", "tokn=kiln_abc");

    assertThatThrownBy(() -> CliConfig.load(Map.of(), home))
        .isInstanceOf(CliFailure.class)
        .hasMessageEndingWith("config:2: unknown key \"tokn\" (known: url, token)");
  }

  @Test
  void aLineWithoutEqualsIsRefused() throws IOException {
    writeConfig("http://localhost:8080");

    assertThatThrownBy(() -> CliConfig.load(Map.of(), home))
        .isInstanceOf(CliFailure.class)
        .hasMessageContaining("config:1: expected key=value");
  }

  @Test
  void aUrlThatIsNotHttpIsRefusedInWords() {
    assertThatThrownBy(() -> CliConfig.load(Map.of("KILN_URL", "localhost:8080"), home))
        .isInstanceOf(CliFailure.class)
        .hasMessage(
            "KILN_URL: \"localhost:8080\" is not an http(s) URL such as http://localhost:8080");
  }
}
