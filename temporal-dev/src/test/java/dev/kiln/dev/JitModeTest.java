package dev.kiln.dev;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JitModeTest {

  @Test
  void c1AloneIsSaidPlainly() {
    assertThat(JitMode.describe("true", "1")).isEqualTo("C1 only");
  }

  @Test
  void c2NamesTheFlagThatTurnsItOff() {
    assertThat(JitMode.describe("true", "4"))
        .startsWith("C1 and C2;")
        .contains("-XX:TieredStopAtLevel=1");
    assertThat(JitMode.describe("false", "1")).startsWith("C2 only;");
  }

  @Test
  void theRunningJvmIsRead() {
    assertThat(JitMode.current()).isIn("C1 only", JitMode.describe("true", "4"));
  }
}
