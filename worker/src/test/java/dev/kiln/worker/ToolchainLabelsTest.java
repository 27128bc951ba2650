package dev.kiln.worker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ToolchainLabelsTest {

  @Test
  void aModernJdkIsLabelledByItsFeatureRelease() {
    String output =
        """
        openjdk version "21.0.5" 2024-10-15 LTS
        OpenJDK Runtime Environment Temurin-21.0.5+11 (build 21.0.5+11-LTS)
        """;
    assertThat(ToolchainLabels.JDK.labelOf(output)).hasValue("jdk21");
    assertThat(ToolchainLabels.JDK.labelOf("openjdk version \"17\" 2021-09-14")).hasValue("jdk17");
  }

  @Test
  void javaEightCallsItselfOnePointEightAndIsLabelledJdk8() {
    assertThat(ToolchainLabels.JDK.labelOf("java version \"1.8.0_392\"")).hasValue("jdk8");
  }

  @Test
  void goIsLabelledWithItsMinorVersion() {
    assertThat(ToolchainLabels.GO.labelOf("go version go1.26.1 linux/amd64")).hasValue("go1.26");
  }

  @Test
  void cargoAndCmakeAreLabelledWithoutAVersion() {
    assertThat(ToolchainLabels.CARGO.labelOf("cargo 1.80.0 (376290515 2024-07-16)"))
        .hasValue("cargo");
    assertThat(ToolchainLabels.CMAKE.labelOf("cmake version 3.28.3\n\nCMake suite maintained"))
        .hasValue("cmake");
  }

  @Test
  void nodeIsLabelledWithItsMajorVersion() {
    assertThat(ToolchainLabels.NODE.labelOf("v20.11.1\n")).hasValue("node20");
  }

  @Test
  void pythonIsLabelledWithItsMinorVersion() {
    assertThat(ToolchainLabels.PYTHON.labelOf("Python 3.11.2\n")).hasValue("python3.11");
  }

  @Test
  void anOutputThatNamesNoVersionGivesNoLabel() {
    assertThat(ToolchainLabels.JDK.labelOf("bash: java: command not found")).isEmpty();
    assertThat(ToolchainLabels.PYTHON.labelOf("")).isEmpty();
    assertThat(ToolchainLabels.NODE.labelOf(null)).isEmpty();
  }

  @Test
  void everyLabelItGivesIsSpelledAsALabelMayBe() {
    assertThat(
            java.util.List.of("jdk21", "jdk8", "go1.26", "cargo", "node20", "cmake", "python3.11"))
        .allMatch(dev.kiln.workflows.WorkerLabels::valid);
  }
}
