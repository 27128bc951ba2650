package dev.kiln.activities.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.workflows.plan.CommandStep;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelinePlannerTest {

  @TempDir Path ws;

  private final PipelinePlanner planner = new PipelinePlanner();

  @Test
  void kiln_yamlWinsOverTheDetectedBuildSystem() throws Exception {
    write("pom.xml", "<project><version>1.4.0</version></project>");
    write("kiln.yaml", "compile:\n  - run: make dist\n    timeout: 5m\n");

    PlannedBuild planned = planner.plan(ws);

    assertThat(planned.plan().origin()).isEqualTo("kiln.yaml");
    assertThat(planned.plan().compile()).containsExactly(new CommandStep("make dist", 300));
    assertThat(planned.version()).isEqualTo("1.4.0");
  }

  @Test
  void withoutKiln_yamlTheBuildSystemIsDetected() throws Exception {
    write("package.json", "{\"version\": \"0.9.0\", \"scripts\": {\"test\": \"vitest run\"}}");

    PlannedBuild planned = planner.plan(ws);

    assertThat(planned.plan().origin()).startsWith("detected npm: package.json found");
    assertThat(planned.version()).isEqualTo("0.9.0");
  }

  @Test
  void anInvalidKiln_yamlFailsTheRunEvenWhenABuildSystemCouldBeDetected() throws Exception {
    write("pom.xml", "<project/>");
    write("kiln.yaml", "compile:\n  - run: make\n    timeout: soon\n");

    assertThatThrownBy(() -> planner.plan(ws))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessage(
            "kiln.yaml:3: compile[0].timeout: \"soon\" is not a duration (use 90s, 20m, 1h)");
  }

  @Test
  void aKiln_ymlIsPointedOutInsteadOfSilentlyIgnored() throws Exception {
    write("pom.xml", "<project/>");
    write("kiln.yml", "compile: [make]\n");

    assertThatThrownBy(() -> planner.plan(ws))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessage("kiln.yml: Kiln reads kiln.yaml; rename kiln.yml to kiln.yaml");
  }

  @Test
  void aKiln_yamlThatIsNotAFileOrTooBigOrNotUtf8IsInvalid() throws Exception {
    Files.createDirectories(ws.resolve("kiln.yaml"));
    assertInvalid(
        "kiln.yaml: is not a regular file in the repository (a link out of it is refused)");
    Files.delete(ws.resolve("kiln.yaml"));

    write("kiln.yaml", "# " + "x".repeat(PipelinePlanner.MAX_SPEC_BYTES) + "\ncompile: [make]\n");
    assertInvalid("kiln.yaml: is larger than 1 MiB");

    Files.write(ws.resolve("kiln.yaml"), new byte[] {'c', ':', ' ', (byte) 0xff, '\n'});
    assertInvalid("kiln.yaml: is not valid UTF-8");
  }

  @Test
  void aKiln_yamlLinkedOutOfTheRepositoryIsNeverRead(@TempDir Path outside) throws Exception {
    Path token = Files.writeString(outside.resolve("worker.token"), "worker-token-3f9a: [\n");
    Files.createSymbolicLink(ws.resolve("kiln.yaml"), token);

    assertInvalid(
        "kiln.yaml: is not a regular file in the repository (a link out of it is refused)");
  }

  @Test
  void anEmptyWorkspaceHasNoPlan() {
    assertThatThrownBy(() -> planner.plan(ws))
        .isInstanceOf(NoPlanException.class)
        .hasMessageStartingWith("no kiln.yaml and no known build system: looked for kiln.yaml,");
  }

  private void assertInvalid(String message) {
    assertThatThrownBy(() -> planner.plan(ws))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessage(message);
  }

  private void write(String name, String content) throws IOException {
    Files.writeString(ws.resolve(name), content);
  }
}
