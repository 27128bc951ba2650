package dev.kiln.workflows.plan;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StepVariableNamesTest {

  @Test
  void aBuildsOwnVariablesAreAllowed() {
    assertThat(StepVariableNames.problem("CFLAGS")).isEmpty();
    assertThat(StepVariableNames.problem("_signing_key2")).isEmpty();
    assertThat(StepVariableNames.problem("PATH")).isEmpty();
    assertThat(StepVariableNames.problem("TMPDIR")).isEmpty();
    assertThat(StepVariableNames.problem("OLD_LD_PRELOAD")).isEmpty();
  }

  @Test
  void whatTheLoaderOrTheCLibraryReadsBeforeTheSandboxIsRefused() {
    for (String name :
        new String[] {
          "LD_PRELOAD",
          "LD_LIBRARY_PATH",
          "LD_AUDIT",
          "LD_ANYTHING_NEW",
          "GCONV_PATH",
          "GLIBC_TUNABLES",
          "LOCPATH",
          "NLSPATH",
          "HOSTALIASES",
          "RES_OPTIONS",
          "TZDIR"
        }) {
      assertThat(StepVariableNames.readBeforeTheSandbox(name)).as(name).isTrue();
      assertThat(StepVariableNames.problem(name)).as(name).get().asString().contains("loader");
    }
  }

  @Test
  void whatABashStartedAsShTakesFromItsEnvironmentIsRefused() {
    for (String name : new String[] {"SHELLOPTS", "BASHOPTS", "PS4"}) {
      assertThat(StepVariableNames.readBeforeTheSandbox(name)).as(name).isTrue();
      assertThat(StepVariableNames.problem(name)).as(name).get().asString().contains("bash");
    }
    assertThat(StepVariableNames.problem("BASH_ENV")).isEmpty();
  }

  @Test
  void namesThatAreNoVariablesOrKilnsAreRefused() {
    assertThat(StepVariableNames.problem("")).contains("must not be empty");
    assertThat(StepVariableNames.problem("1FOO")).get().asString().startsWith("must be an");
    assertThat(StepVariableNames.problem("MY-VAR")).get().asString().startsWith("must be an");
    assertThat(StepVariableNames.problem("KILN_SHA")).get().asString().contains("KILN_");
  }
}
