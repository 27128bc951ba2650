package dev.kiln.activities.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GlobTest {

  @Test
  void doubleStarSlashAlsoMatchesNoDirectory() {
    Glob glob = Glob.of("**/target/surefire-reports/TEST-*.xml");

    assertThat(glob.matches("target/surefire-reports/TEST-a.FooTest.xml")).isTrue();
    assertThat(glob.matches("core/api/target/surefire-reports/TEST-a.FooTest.xml")).isTrue();
    assertThat(glob.matches("target/surefire-reports/a.FooTest.txt")).isFalse();
  }

  @Test
  void singleStarStaysInOneDirectory() {
    Glob glob = Glob.of("reports/*.xml");

    assertThat(glob.matches("reports/a.xml")).isTrue();
    assertThat(glob.matches("reports/sub/a.xml")).isFalse();
  }

  @Test
  void bracesQuestionMarksAndSetsWork() {
    assertThat(Glob.of("out/{unit,it}/TEST-?.xml").matches("out/it/TEST-1.xml")).isTrue();
    assertThat(Glob.of("out/{unit,it}/TEST-?.xml").matches("out/e2e/TEST-1.xml")).isFalse();
    assertThat(Glob.of("r[!0-9].xml").matches("ra.xml")).isTrue();
    assertThat(Glob.of("r[!0-9].xml").matches("r1.xml")).isFalse();
  }

  @Test
  void regexCharactersAreLiteral() {
    assertThat(Glob.of("a+b(1).xml").matches("a+b(1).xml")).isTrue();
    assertThat(Glob.of("a.xml").matches("abxml")).isFalse();
  }

  @Test
  void globsThatLeaveTheWorkspaceAreRejected() {
    assertThatThrownBy(() -> Glob.of("/etc/*.xml")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Glob.of("../other/*.xml"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Glob.of("a/../../b.xml")).isInstanceOf(IllegalArgumentException.class);
  }
}
