package dev.kiln.activities.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.workflows.FailureTypes;
import dev.kiln.workflows.plan.CommandStep;
import dev.kiln.workflows.plan.GateSpec;
import dev.kiln.workflows.plan.PipelinePlan;
import dev.kiln.workflows.plan.SandboxRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KilnYamlParserTest {

  private final KilnYamlParser parser = new KilnYamlParser();

  @Test
  void parsesTheDesignDocumentExample() throws Exception {
    PipelinePlan plan = parser.parse(resource("design-example.kiln.yaml"));

    assertThat(plan)
        .isEqualTo(
            new PipelinePlan(
                "kiln.yaml",
                List.of(new CommandStep("./configure && make -j\"$KILN_CPUS\"", 1200)),
                List.of("libz.so*", "*.tar.gz"),
                List.of(
                    new GateSpec("unit", "make test", List.of("**/TEST-*.xml"), 600, true),
                    new GateSpec("lint", "make lint", List.of(), 1800, false)),
                Map.of("CFLAGS", "-O2")));
  }

  @Test
  void bareStringCompileItemsGetTheDefaultTimeout() throws Exception {
    PipelinePlan plan =
        parser.parse(
            """
            compile:
              - ./autogen.sh
              - run: |
                  ./configure
                  make
            """);

    assertThat(plan.compile())
        .containsExactly(
            new CommandStep("./autogen.sh", 3600), new CommandStep("./configure\nmake\n", 3600));
    assertThat(plan.gates()).isEmpty();
    assertThat(plan.artifacts()).isEmpty();
    assertThat(plan.env()).isEmpty();
  }

  @Test
  void gatesAloneAreAPlanAndDefaultToRequiredWithThirtyMinutes() throws Exception {
    PipelinePlan plan =
        parser.parse(
            """
            gates:
              - name: go.vet_1-x
                run: go vet ./...
                reports: "reports/*.xml"
            """);

    assertThat(plan.compile()).isEmpty();
    assertThat(plan.gates())
        .containsExactly(
            new GateSpec("go.vet_1-x", "go vet ./...", List.of("reports/*.xml"), 1800, true));
  }

  @Test
  void envKeepsNumbersAndBooleansAsWritten() throws Exception {
    PipelinePlan plan =
        parser.parse(
            """
            compile: [make]
            env:
              VERSION: 1.10
              JOBS: 8
              DEBUG: true
              LEGACY: yes
              EMPTY: ""
              QUOTED: "01"
            """);

    assertThat(plan.env())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "VERSION", "1.10",
                "JOBS", "8",
                "DEBUG", "true",
                "LEGACY", "yes",
                "EMPTY", "",
                "QUOTED", "01"));
  }

  @ParameterizedTest
  @CsvSource({"90s, 90", "20m, 1200", "1h, 3600", "1h30m, 5400", "2h0m15s, 7215", "24h, 86400"})
  void acceptsDurationsInHoursMinutesAndSeconds(String timeout, long seconds) throws Exception {
    PipelinePlan plan = parser.parse("compile:\n  - run: make\n    timeout: " + timeout + "\n");

    assertThat(plan.compile().get(0).timeoutSeconds()).isEqualTo(seconds);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "20 minutes| \"20 minutes\" is not a duration (use 90s, 20m, 1h)",
        "500ms| \"500ms\" is not a duration (use 90s, 20m, 1h)",
        "30m1h| \"30m1h\" is not a duration (use 90s, 20m, 1h)",
        "1h 30m| \"1h 30m\" is not a duration (use 90s, 20m, 1h)",
        "1d| \"1d\" is not a duration (use 90s, 20m, 1h)",
        "90| \"90\" is not a duration (use 90s, 20m, 1h)",
        "-5m| \"-5m\" is not a duration (use 90s, 20m, 1h)",
        "0m| \"0m\" must be longer than zero",
        "25h| \"25h\" is longer than the 24h maximum",
        "true| must be a duration (use 90s, 20m, 1h), got true/false",
        "[20m]| must be a duration (use 90s, 20m, 1h), got a list",
        "~| must be a duration (use 90s, 20m, 1h), got nothing (null)",
      })
  void rejectsBadTimeoutsWithLineAndPath(String timeout, String problem) {
    String yaml =
        """
        gates:
          - name: unit
            run: make test
          - name: slow
            run: make slow
            timeout: %s
        """
            .formatted(timeout);

    assertInvalid(yaml, "kiln.yaml:6: gates[1].timeout: " + problem);
  }

  @Test
  void reportsTheLineOfEveryKindOfMistake() {
    assertInvalid(
        "compile:\n  - run: make\ncomplie: []\n",
        "kiln.yaml:3: complie: unknown key; did you mean \"compile\"?"
            + " (allowed: compile, stage, gates, env, resources, network, requires)");
    assertInvalid(
        "compile: [make]\nartifacts: [x]\n",
        "kiln.yaml:2: artifacts: unknown key"
            + " (allowed: compile, stage, gates, env, resources, network, requires)");
    assertInvalid(
        "gates:\n  - name: unit\n    run: make test\n    requird: false\n",
        "kiln.yaml:4: gates[0].requird: unknown key; did you mean \"required\"?"
            + " (allowed: name, run, reports, timeout, required, secrets)");
    assertInvalid(
        "compile:\n  - run: make\n    timeot: 5m\n",
        "kiln.yaml:3: compile[0].timeot: unknown key; did you mean \"timeout\"?"
            + " (allowed: run, timeout, secrets)");
    assertInvalid(
        "compile: [make]\nstage:\n  artifact: [x]\n",
        "kiln.yaml:3: stage.artifact: unknown key; did you mean \"artifacts\"? (allowed: artifacts)");
  }

  @Test
  void rejectsValuesOfTheWrongType() {
    assertInvalid(
        "- make\n", "kiln.yaml:1: must be a mapping with compile, stage, gates or env, got a list");
    assertInvalid(
        "compile: make\n",
        "kiln.yaml:1: compile: must be a list of commands (- make), got a string");
    assertInvalid(
        "compile:\n  - [make]\n",
        "kiln.yaml:2: compile[0]: must be a command or a mapping with run and timeout, got a list");
    assertInvalid(
        "compile:\n  - run: 5\n", "kiln.yaml:2: compile[0].run: must be a string, got a number");
    assertInvalid(
        "compile:\n  - make\n  - 42\n", "kiln.yaml:3: compile[1]: must be a string, got a number");
    assertInvalid(
        "compile: [make]\nstage: [x]\n",
        "kiln.yaml:2: stage: must be a mapping with artifacts, got a list");
    assertInvalid(
        "compile: [make]\nstage:\n  artifacts: {a: b}\n",
        "kiln.yaml:3: stage.artifacts: must be a glob or a list of globs, got a mapping");
    assertInvalid(
        "gates:\n  name: unit\n", "kiln.yaml:2: gates: must be a list of gates, got a mapping");
    assertInvalid(
        "gates:\n  - make test\n",
        "kiln.yaml:2: gates[0]: must be a mapping with name and run, got a string");
    assertInvalid(
        "gates:\n  - name: unit\n    run: make test\n    required: maybe\n",
        "kiln.yaml:4: gates[0].required: must be true or false, got a string");
    assertInvalid(
        "gates:\n  - name: unit\n    run: make test\n    reports: [1]\n",
        "kiln.yaml:4: gates[0].reports[0]: must be a string, got a number");
    assertInvalid(
        "compile: [make]\nenv: [A=1]\n",
        "kiln.yaml:2: env: must be a mapping of names to values, got a list");
  }

  @Test
  void rejectsMissingAndEmptyCommands() {
    assertInvalid(
        "compile:\n  - timeout: 5m\n", "kiln.yaml:2: compile[0]: missing required key \"run\"");
    assertInvalid("compile:\n  - run: \"  \"\n", "kiln.yaml:2: compile[0].run: must not be empty");
    assertInvalid("compile:\n  - \"\"\n", "kiln.yaml:2: compile[0]: must not be empty");
    assertInvalid(
        "gates:\n  - name: unit\n    run: make test\n  - name: lint\n    reports: [x]\n",
        "kiln.yaml:4: gates[1]: missing required key \"run\"");
    assertInvalid(
        "gates:\n  - run: make test\n", "kiln.yaml:2: gates[0]: missing required key \"name\"");
  }

  @Test
  void rejectsBadAndDuplicateGateNames() {
    assertInvalid(
        "gates:\n  - name: \"\"\n    run: x\n", "kiln.yaml:2: gates[0].name: must not be empty");
    assertInvalid(
        "gates:\n  - name: unit tests\n    run: x\n",
        "kiln.yaml:2: gates[0].name: \"unit tests\" may only contain letters, digits, '.', '_' and '-'");
    assertInvalid(
        "gates:\n  - name: ../x\n    run: x\n",
        "kiln.yaml:2: gates[0].name: \"../x\" may only contain letters, digits, '.', '_' and '-'");
    assertInvalid(
        "gates:\n  - name: 7\n    run: x\n",
        "kiln.yaml:2: gates[0].name: must be a string, got a number");
    assertInvalid(
        """
        gates:
          - name: unit
            run: make test
          - name: lint
            run: make lint
          - name: unit
            run: make check
        """,
        "kiln.yaml:6: gates[2].name: duplicate gate name \"unit\" (first at line 2)");
  }

  @Test
  void rejectsGlobsThatLeaveTheWorkspace() {
    assertInvalid(
        "compile: [make]\nstage:\n  artifacts: [\"/etc/passwd\"]\n",
        "kiln.yaml:3: stage.artifacts[0]: \"/etc/passwd\" must be relative to the workspace");
    assertInvalid(
        "compile: [make]\nstage:\n  artifacts:\n    - dist/*\n    - ../secrets/*\n",
        "kiln.yaml:5: stage.artifacts[1]: \"../secrets/*\" must not leave the workspace (..)");
    assertInvalid(
        "gates:\n  - name: unit\n    run: x\n    reports: \"a/../../b\"\n",
        "kiln.yaml:4: gates[0].reports: \"a/../../b\" must not leave the workspace (..)");
    assertInvalid(
        "compile: [make]\nstage:\n  artifacts: [\"\"]\n",
        "kiln.yaml:3: stage.artifacts[0]: must not be empty");
  }

  @Test
  void rejectsBadEnvironmentEntries() {
    assertInvalid(
        "compile: [make]\nenv:\n  1FOO: x\n",
        "kiln.yaml:3: env.1FOO: \"1FOO\" must be an environment variable name:"
            + " letters, digits and _, not starting with a digit");
    assertInvalid(
        "compile: [make]\nenv:\n  MY-VAR: x\n",
        "kiln.yaml:3: env.MY-VAR: \"MY-VAR\" must be an environment variable name:"
            + " letters, digits and _, not starting with a digit");
    assertInvalid(
        "compile: [make]\nenv:\n  KILN_CPUS: 64\n",
        "kiln.yaml:3: env.KILN_CPUS: \"KILN_CPUS\" must not start with KILN_:"
            + " those names are reserved for Kiln");
    assertInvalid(
        "compile: [make]\nenv:\n  LD_PRELOAD: ./x.so\n",
        "kiln.yaml:3: env.LD_PRELOAD: \"LD_PRELOAD\" is read by the dynamic loader or the C"
            + " library of the programs that start a step outside its sandbox, so a build may not"
            + " set it");
    assertInvalid(
        "compile: [make]\nenv:\n  GCONV_PATH: .\n",
        "kiln.yaml:3: env.GCONV_PATH: \"GCONV_PATH\" is read by the dynamic loader or the C"
            + " library of the programs that start a step outside its sandbox, so a build may not"
            + " set it");
    assertInvalid(
        "compile: [make]\nenv:\n  FOO:\n",
        "kiln.yaml:3: env.FOO: has no value (write \"\" for an empty string)");
    assertInvalid(
        "compile: [make]\nenv:\n  FOO: [a, b]\n",
        "kiln.yaml:3: env.FOO: must be a string, number or true/false, got a list");
  }

  @Test
  void aCompileStepOrGateNamesTheSecretsItGetsAndOthersGetNone() throws Exception {
    PipelinePlan plan =
        parser.parse(
            """
            compile:
              - make
              - run: ./deploy.sh
                secrets: [DEPLOY_TOKEN, _signing_key2]
            gates:
              - name: smoke
                run: ./smoke.sh
                secrets:
                  - API_KEY
              - name: unit
                run: make test
            """);

    assertThat(plan.compile())
        .containsExactly(
            new CommandStep("make", 3600),
            new CommandStep("./deploy.sh", 3600, List.of("DEPLOY_TOKEN", "_signing_key2")));
    assertThat(plan.gates().get(0).secrets()).containsExactly("API_KEY");
    assertThat(plan.gates().get(1).secrets()).isEmpty();
  }

  @Test
  void rejectsSecretNamesThatAreNoVariableNamesOrRepeated() {
    assertInvalid(
        "compile:\n  - run: make\n    secrets: [1TOKEN]\n",
        "kiln.yaml:3: compile[0].secrets[0]: \"1TOKEN\" must be an environment variable name:"
            + " letters, digits and _, not starting with a digit");
    assertInvalid(
        "compile:\n  - run: make\n    secrets: [KILN_TOKEN]\n",
        "kiln.yaml:3: compile[0].secrets[0]: \"KILN_TOKEN\" must not start with KILN_:"
            + " those names are reserved for Kiln");
    assertInvalid(
        "compile:\n  - run: make\n    secrets: [LD_LIBRARY_PATH]\n",
        "kiln.yaml:3: compile[0].secrets[0]: \"LD_LIBRARY_PATH\" is read by the dynamic loader or"
            + " the C library of the programs that start a step outside its sandbox, so a build may"
            + " not set it");
    assertInvalid(
        "gates:\n  - name: unit\n    run: make\n    secrets: [A_B, A_B]\n",
        "kiln.yaml:4: gates[0].secrets[1]: \"A_B\" is listed twice");
    assertInvalid(
        "compile:\n  - run: make\n    secrets: DEPLOY_TOKEN\n",
        "kiln.yaml:3: compile[0].secrets: must be a list of secret names ([DEPLOY_TOKEN]), got a string");
  }

  @Test
  void rejectsYamlThatIsAmbiguousOrBroken() {
    assertInvalid(
        "compile: [make]\ncompile: [make all]\n",
        "kiln.yaml:2: compile: duplicate key (first at line 1)");
    assertInvalid(
        "compile: [make]\nenv:\n  A: 1\n  A: 2\n",
        "kiln.yaml:4: env.A: duplicate key (first at line 3)");
    assertInvalid(
        "compile:\n  - &build make\n  - *build\n",
        "kiln.yaml:3: compile[1]: YAML aliases (*build) are not supported");
    assertInvalid(
        "compile: [make]\n---\ngates: []\n",
        "kiln.yaml:3: only one YAML document is allowed (remove the ---)");
    assertInvalid(
        "compile:\n  - run: make: all\n",
        "kiln.yaml:2: invalid YAML: mapping values are not allowed here");
    assertInvalid(
        "compile: [make\n", "kiln.yaml:2: invalid YAML: expected ',' or ']', but got <stream end>");
    assertInvalid(
        "compile:\n\t- make\n",
        "kiln.yaml:2: invalid YAML: found character '\\t(TAB)' that cannot start any token."
            + " (Do not use \\t(TAB) for indentation)");
  }

  @Test
  void rejectsFilesWithNothingToRun() {
    assertInvalid("", "kiln.yaml:1: the file is empty; it needs compile or gates");
    assertInvalid(
        "# just a comment\n", "kiln.yaml:1: the file is empty; it needs compile or gates");
    assertInvalid(
        "just text\n",
        "kiln.yaml:1: must be a mapping with compile, stage, gates or env, got a string");
    assertInvalid(
        "env:\n  A: b\nstage:\n  artifacts: [x]\n",
        "kiln.yaml:1: nothing to run: add compile or gates");
    assertInvalid("compile: []\ngates: []\n", "kiln.yaml:1: nothing to run: add compile or gates");
  }

  @Test
  void aGateNamesItsReportsByFormatAndTheListFormStillWorks() throws Exception {
    String yaml =
        """
        gates:
          - name: unit
            run: python3 -m pytest --junitxml=reports/pytest.xml
            reports:
              junit: "reports/*.xml"
              jest: [web/jest.json]
          - name: it
            run: ./it.sh
            reports: ["**/TEST-*.xml"]
        """;

    assertThat(parser.parse(yaml).gates())
        .extracting(GateSpec::reports)
        .containsExactly(List.of("reports/*.xml", "web/jest.json"), List.of("**/TEST-*.xml"));
    assertInvalid(
        "gates:\n  - name: unit\n    run: x\n    reports:\n      junt: a.xml\n",
        "kiln.yaml:5: gates[0].reports.junt: unknown key; did you mean \"junit\"?"
            + " (allowed: junit, jest)");
    assertInvalid(
        "gates:\n  - name: unit\n    run: x\n    reports:\n      junit: /etc/x.xml\n",
        "kiln.yaml:5: gates[0].reports.junit: \"/etc/x.xml\" must be relative to the workspace");
  }

  @Test
  void errorsCarryTheirPartsAndFailureType() {
    assertThatThrownBy(
            () -> parser.parse("gates:\n  - name: unit\n    run: x\n    timeout: 5 min\n"))
        .isInstanceOfSatisfying(
            InvalidSpecException.class,
            e -> {
              assertThat(e.file()).isEqualTo("kiln.yaml");
              assertThat(e.line()).isEqualTo(4);
              assertThat(e.path()).isEqualTo("gates[0].timeout");
              assertThat(e.problem()).isEqualTo("\"5 min\" is not a duration (use 90s, 20m, 1h)");
              assertThat(e.failureType()).isEqualTo(FailureTypes.INVALID_SPEC);
            });
  }

  @Test
  void resourcesAndNetworkBecomeTheSandboxRequestOfThePlanAndOfEveryGate() throws Exception {
    PipelinePlan plan =
        parser.parse(
            """
            compile: [make]
            gates:
              - name: unit
                run: make test
            resources:
              memory: 4g
              cpus: 1.5
              pids: 2048
              disk: 512MiB
            network: false
            """);

    SandboxRequest expected = new SandboxRequest(4L << 30, 1.5, 2048, 512L << 20, false);
    assertThat(plan.sandbox()).isEqualTo(expected);
    assertThat(plan.gates())
        .singleElement()
        .satisfies(g -> assertThat(g.sandbox()).isEqualTo(expected));
  }

  @Test
  void aPlanWithoutResourcesAsksNothingOfTheSandbox() throws Exception {
    PipelinePlan plan = parser.parse("compile: [make]\ngates:\n  - name: unit\n    run: t\n");

    assertThat(plan.sandbox()).isNull();
    assertThat(plan.gates().get(0).sandbox()).isNull();
    assertThat(SandboxRequest.orDefault(plan.sandbox()).networkOn()).isTrue();
  }

  @Test
  void theResourcesTimeoutIsTheTimeoutOfEveryStepThatSetsNoneOfItsOwn() throws Exception {
    PipelinePlan plan =
        parser.parse(
            """
            compile:
              - make
              - run: make docs
                timeout: 1h
            gates:
              - name: unit
                run: make test
            resources:
              timeout: 20m
            """);

    assertThat(plan.compile())
        .extracting(CommandStep::timeoutSeconds)
        .containsExactly(1200L, 3600L);
    assertThat(plan.gates().get(0).timeoutSeconds()).isEqualTo(1200);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "memory: lots|resources.memory: \"lots\" is not a size (use 512m, 4g, 1.5g (binary units))",
        "memory: 4|resources.memory: \"4\" is 4 bytes; at least 16 MiB (a plain number is bytes: write 4g, 512m)",
        "cpus: 0|resources.cpus: 0 must be more than 0 and at most 1024",
        "cpus: two|resources.cpus: must be a number such as 2 or 0.5, got a string",
        "pids: 1|resources.pids: 1 must be between 2 and 2147483647",
        "disk: true|resources.disk: must be a size (use 512m, 4g, 1.5g (binary units)), got true/false",
        "timeout: 0s|resources.timeout: \"0s\" must be longer than zero",
        "memroy: 4g|resources.memroy: unknown key; did you mean \"memory\"? (allowed: memory, cpus, pids, disk, timeout)"
      })
  void aBadResourceNamesItsLineAndKey(String entry, String problem) {
    assertInvalid("compile: [make]\nresources:\n  " + entry + "\n", "kiln.yaml:3: " + problem);
  }

  @Test
  void networkMustBeTrueOrFalse() {
    assertInvalid(
        "compile: [make]\nnetwork: \"off\"\n",
        "kiln.yaml:2: network: must be true or false, got a string");
  }

  @Test
  void requiresNamesTheLabelsABuildHostMustHaveAsAListOrOneLabel() throws Exception {
    assertThat(parser.parse("compile: [make]\nrequires: [jdk21, big-memory]\n").requires())
        .containsExactly("jdk21", "big-memory");
    assertThat(parser.parse("compile: [make]\nrequires: go1.26\n").requires())
        .containsExactly("go1.26");
    assertThat(parser.parse("compile: [make]\n").requires()).isEmpty();
  }

  @Test
  void aRequiredLabelSpelledAsNoLabelIsOrListedTwiceNamesItsLine() {
    assertInvalid(
        "compile: [make]\nrequires:\n  - jdk21\n  - Big Memory\n",
        "kiln.yaml:4: requires[1]: \"Big Memory\" is not a worker label (lower case letters,"
            + " digits, '.', '_' and '-', at most 40 characters, starting with a letter or digit)");
    assertInvalid(
        "compile: [make]\nrequires: [jdk21, jdk21]\n",
        "kiln.yaml:2: requires[1]: \"jdk21\" is listed twice");
    assertInvalid(
        "compile: [make]\nrequires: {jdk: 21}\n",
        "kiln.yaml:2: requires: must be a list of worker labels ([jdk21, big-memory]), got a"
            + " mapping");
  }

  private void assertInvalid(String yaml, String message) {
    assertThatThrownBy(() -> parser.parse(yaml))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessage(message);
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = KilnYamlParserTest.class.getResourceAsStream("/pipeline/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
