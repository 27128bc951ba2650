package dev.kiln.activities.process;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcStatTest {

  @Test
  void commandNamesWithSpacesAndParenthesesDoNotShiftTheFields() {
    String stat =
        "4242 (evil) (name Z 1) S 1 4200 4200 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 100";

    ProcStat parsed = ProcStat.parse(stat);

    assertThat(parsed).isEqualTo(new ProcStat(4242, 'S', 4200, 987654));
    assertThat(parsed.zombie()).isFalse();
  }

  @Test
  void ownProcessIsReadFromProc() {
    long self = ProcessHandle.current().pid();

    assertThat(ProcStat.read(self)).hasValueSatisfying(s -> assertThat(s.pid()).isEqualTo(self));
  }

  @Test
  void missingProcessReadsAsEmpty() {
    assertThat(ProcStat.read(Integer.MAX_VALUE)).isEmpty();
  }
}
