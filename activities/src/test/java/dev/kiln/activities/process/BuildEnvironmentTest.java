package dev.kiln.activities.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.workflows.activities.RunContext;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BuildEnvironmentTest {

  private static final Map<String, String> WORKER =
      Map.of(
          "PATH", "/usr/local/bin:/usr/bin",
          "HOME", "/home/kiln",
          "JAVA_HOME", "/opt/jdk",
          "KILN_WORKER_TOKEN", "secret-token",
          "MAVEN_OPTS", "-Dhttp.proxyPassword=hunter2",
          "HTTPS_PROXY", "http://user:pw@proxy:3128",
          "AWS_SECRET_ACCESS_KEY", "aws");

  private static final RunContext RUN =
      new RunContext(
          42, "https://git.example/app.git", "9f1c2e", "aarch64", null, List.of("-k", "V=1"), 1);

  @Test
  void onlyWhitelistedWorkerVariablesArePassedThrough() {
    Map<String, String> env = BuildEnvironment.inherited(WORKER);

    assertThat(env)
        .containsEntry("PATH", "/usr/local/bin:/usr/bin")
        .containsEntry("HOME", "/home/kiln")
        .containsEntry("JAVA_HOME", "/opt/jdk")
        .doesNotContainKeys(
            "KILN_WORKER_TOKEN", "MAVEN_OPTS", "HTTPS_PROXY", "AWS_SECRET_ACCESS_KEY");
    assertThat(env.values()).noneMatch(v -> v.contains("secret") || v.contains("hunter2"));
  }

  @Test
  void baseMarksTheBuildAsCiAndDefaultsTheLocaleToUtf8() {
    assertThat(BuildEnvironment.inherited(Map.of()))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("LANG", "C.UTF-8", "CI", "true", "KILN", "true"));
    assertThat(BuildEnvironment.inherited(Map.of("LANG", "de_DE.UTF-8")))
        .containsEntry("LANG", "de_DE.UTF-8");
  }

  @Test
  void runVariablesDescribeTheRun() {
    Map<String, String> env = BuildEnvironment.forRun(WORKER, RUN, 8, Map.of());

    assertThat(env)
        .containsEntry("KILN_RUN_ID", "42")
        .containsEntry("KILN_SHA", "9f1c2e")
        .containsEntry("KILN_ARCH", "aarch64")
        .containsEntry("KILN_TARGET", "")
        .containsEntry("KILN_ARGS", "-k V=1")
        .containsEntry("KILN_CPUS", "8");
  }

  @Test
  void planVariablesOverrideTheBaseButNotTheRunVariables() {
    Map<String, String> plan =
        Map.of("PATH", "/opt/tool/bin", "CFLAGS", "-O2", "KILN_SHA", "forged");

    Map<String, String> env = BuildEnvironment.forRun(WORKER, RUN, 2, plan);

    assertThat(env)
        .containsEntry("PATH", "/opt/tool/bin")
        .containsEntry("CFLAGS", "-O2")
        .containsEntry("KILN_SHA", "9f1c2e");
  }

  @Test
  void planVariablesTheDynamicLoaderReadsAreRefused() {
    assertThatThrownBy(
            () -> BuildEnvironment.forRun(WORKER, RUN, 2, Map.of("LD_PRELOAD", "./evil.so")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("LD_PRELOAD")
        .hasMessageContaining("dynamic loader");
  }

  @Test
  void planVariableWithAnInvalidNameIsRejected() {
    assertThatThrownBy(() -> BuildEnvironment.forRun(WORKER, RUN, 2, Map.of("MY-VAR", "x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("MY-VAR");
  }

  @Test
  void cpusMustBePositive() {
    assertThatThrownBy(() -> BuildEnvironment.kilnVariables(RUN, 0)).hasMessageContaining("cpus");
  }
}
