package dev.kiln.dev;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReadyBannerTest {

  @TempDir Path tmp;

  private ReadyBanner.Facts facts(TemporalService temporal) {
    return new ReadyBanner.Facts(
        "http://localhost:8080",
        temporal,
        "jdbc:postgresql://localhost:5432/kiln",
        Path.of("/home/dev/.kiln"),
        Path.of("/home/dev/.kiln/worker.token"),
        new ReadyBanner.ExampleRepository("file:///src/zlib", "develop"),
        "bwrap, limits by cgroup v2 (per step at most memory 4 GiB, 2 CPUs)");
  }

  @Test
  void saysKilnIsUpThenGivesTheUrls() {
    List<String> lines =
        ReadyBanner.lines(
            facts(new ExternalTemporal("127.0.0.1:7233", Optional.of("http://localhost:8233"))),
            4200);

    int up = indexOf(lines, "Kiln is up");
    assertThat(up).isNotNegative();
    assertThat(lines.get(up)).isEqualTo("Kiln is up (started in 4.2 s)");
    assertThat(lines.subList(up + 1, lines.size()))
        .anyMatch(l -> l.contains("http://localhost:8080"))
        .anyMatch(l -> l.contains("http://localhost:8080/swagger-ui.html"))
        .anyMatch(
            l ->
                l.equals(
                    "  Build sandbox:   bwrap, limits by cgroup v2 (per step at most memory 4 GiB, 2 CPUs)"))
        .anyMatch(l -> l.contains("Temporal Web UI: http://localhost:8233"))
        .anyMatch(
            l ->
                l.contains(
                    "curl -sS -X POST http://localhost:8080/rebuild"
                        + " -H 'Content-Type: application/json'"
                        + " -d '{\"repo\": \"file:///src/zlib\", \"ref\": \"develop\"}'"));
  }

  @Test
  void saysSoWhenThereIsNoWebUi() {
    List<String> lines =
        ReadyBanner.lines(facts(new ExternalTemporal("temporal:7233", Optional.empty())), 1000);

    assertThat(lines).anyMatch(l -> l.startsWith("  Temporal Web UI: none ("));
  }

  @Test
  void offersToBuildTheRepositoryItWasStartedIn() throws IOException {
    Files.createDirectories(tmp.resolve(".git"));
    Files.writeString(tmp.resolve(".git/HEAD"), "ref: refs/heads/feature/x\n");

    ReadyBanner.ExampleRepository example = ReadyBanner.ExampleRepository.detect(tmp);

    assertThat(example.repo()).isEqualTo("file://" + tmp.toAbsolutePath());
    assertThat(example.ref()).isEqualTo("feature/x");
  }

  @Test
  void fallsBackToAPlaceholderOutsideAGitRepository() {
    ReadyBanner.ExampleRepository example = ReadyBanner.ExampleRepository.detect(tmp);

    assertThat(example.repo()).isEqualTo("file:///path/to/repo");
    assertThat(example.ref()).isEqualTo("main");
  }

  private static int indexOf(List<String> lines, String text) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(text)) {
        return i;
      }
    }
    return -1;
  }
}
