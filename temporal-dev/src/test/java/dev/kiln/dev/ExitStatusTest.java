package dev.kiln.dev;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ExitStatusTest {

  @Test
  void aStatusAbove128NamesTheSignalThatKilledTheProcess() {
    assertThat(ExitStatus.describe(137)).isEqualTo("exit status 137, killed by signal 9 (SIGKILL)");
    assertThat(ExitStatus.describe(143)).endsWith("(SIGTERM)");
  }

  @Test
  void anOrdinaryStatusIsJustTheNumber() {
    assertThat(ExitStatus.describe(1)).isEqualTo("exit status 1");
    assertThat(ExitStatus.describe(0)).isEqualTo("exit status 0");
  }
}
