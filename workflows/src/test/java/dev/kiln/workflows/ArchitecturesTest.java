package dev.kiln.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ArchitecturesTest {

  @ParameterizedTest
  @CsvSource({
    "amd64, x86_64",
    "x86_64, x86_64",
    "X86-64, x86_64",
    "arm64, aarch64",
    "aarch64, aarch64",
    "riscv64, riscv64"
  })
  void everySpellingOfAnArchitectureMapsToOneName(String given, String expected) {
    assertThat(Architectures.normalise(given)).isEqualTo(expected);
  }
}
