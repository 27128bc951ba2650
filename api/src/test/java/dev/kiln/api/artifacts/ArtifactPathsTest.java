package dev.kiln.api.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.api.web.ApiException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ArtifactPathsTest {

  @ParameterizedTest
  @CsvSource({
    "target/app.jar, target/app.jar",
    "./target//app.jar, target/app.jar",
    "libz.so.1.3, libz.so.1.3"
  })
  void normalisesRelativePaths(String path, String normalised) {
    assertThat(ArtifactPaths.normalise(path)).isEqualTo(normalised);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "../secret",
        "a/../../etc/passwd",
        "/etc/passwd",
        "C:/Windows/win.ini",
        "a\\b",
        "dir/",
        ".",
        "a\u0000b"
      })
  void refusesPathsThatCouldLeaveTheRunDirectory(String path) {
    assertThatThrownBy(() -> ArtifactPaths.normalise(path))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.getStatusCode().value()).isEqualTo(400);
              assertThat(e.getBody().getDetail()).startsWith("path");
            });
  }

  @Test
  void eachRunKeepsItsArtifactsInADirectoryOfItsOwn() {
    assertThat(ArtifactPaths.storageKey(7, "target/app.jar")).isEqualTo("runs/7/target/app.jar");
    assertThatThrownBy(() -> ArtifactPaths.storageKey(0, "a.jar"))
        .isInstanceOf(IllegalStateException.class);
  }
}
