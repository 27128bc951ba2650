package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user meets it, in this JVM: arguments in, exit code and output out. */
class KilnCommandLineTest {

  @TempDir Path home;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int kiln(Map<String, String> env, String... args) {
    return new Kiln(env, home, new PrintWriter(out), new PrintWriter(err), new Terminal(false))
        .run(args);
  }

  /** A loopback port nobody listens on: bound by this test, then closed. */
  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Test
  void aRefusedConnectionIsExitThreeWithOneLineAndNoStackTrace() throws IOException {
    String url = "http://127.0.0.1:" + closedPort();

    int code = kiln(Map.of("KILN_URL", url), "runs");

    assertThat(code).isEqualTo(ExitCodes.USAGE_OR_CONNECTION);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString().lines()).hasSize(1);
    assertThat(err.toString()).startsWith("kiln: cannot reach Kiln at " + url + ": ");
  }

  @Test
  void runBuildsLocallyOnlyAndSaysSoWithoutLocal() {
    int code = kiln(Map.of(), "run", ".");

    assertThat(code).isEqualTo(ExitCodes.USAGE_OR_CONNECTION);
    assertThat(err.toString())
        .startsWith("kiln: kiln run builds on this machine only: give --local")
        .contains("Try 'kiln run --help'.");
  }

  @Test
  void aLocalRunOfADirectoryOutsideAnyGitWorkingTreeIsOneLineExitThree() throws IOException {
    Path plain = Files.createDirectories(home.resolve("not-a-repository"));

    int code = kiln(Map.of("KILN_WORKER_SANDBOX", "none"), "run", "--local", plain.toString());

    assertThat(code).isEqualTo(ExitCodes.USAGE_OR_CONNECTION);
    assertThat(err.toString().lines())
        .last()
        .asString()
        .startsWith("kiln: " + plain + " is not in a git working tree");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void aMistypedSandboxModeIsOneLineExitThree() {
    int code = kiln(Map.of("KILN_WORKER_SANDBOX", "firejail"), "run", "--local", ".");

    assertThat(code).isEqualTo(ExitCodes.USAGE_OR_CONNECTION);
    assertThat(err.toString())
        .isEqualTo(
            "kiln: kiln.worker.sandbox: \"firejail\" is not one of bwrap, none, auto"
                + System.lineSeparator());
  }

  @Test
  void helpListsEveryCommandThoughACommandLineRegistersOnlyTheOneItNames() {
    int code = kiln(Map.of(), "--help");

    assertThat(code).isZero();
    assertThat(out.toString())
        .contains("rebuild", "run ", "logs", "runs", "show", "cancel", "retry", "queue", "workers");
    assertThat(Kiln.subcommandsFor("runs", "--json"))
        .containsExactly(dev.kiln.cli.runs.RunsCommand.class);
    assertThat(Kiln.subcommandsFor("--help")).isEqualTo(Kiln.SUBCOMMANDS);
  }

  @Test
  void aMistypedCommandIsAUsageErrorExitThree() {
    int code = kiln(Map.of(), "rnus");

    assertThat(code).isEqualTo(ExitCodes.USAGE_OR_CONNECTION);
    assertThat(err.toString()).startsWith("kiln: Unmatched argument at index 0: 'rnus'");
  }

  @Test
  void anUnknownOptionIsAUsageErrorExitThree() {
    int code = kiln(Map.of(), "runs", "--colour");

    assertThat(code).isEqualTo(ExitCodes.USAGE_OR_CONNECTION);
    assertThat(err.toString())
        .startsWith("kiln: Unknown option: '--colour'")
        .contains("Try 'kiln runs --help'.");
  }

  @Test
  void anUnknownPriorityIsRefusedBeforeAnyRequestIsSent() throws IOException {
    int code =
        kiln(
            Map.of("KILN_URL", "http://127.0.0.1:" + closedPort()),
            "rebuild",
            "file:///tmp/r.git",
            "--priority",
            "asap");

    assertThat(code).isEqualTo(ExitCodes.USAGE_OR_CONNECTION);
    assertThat(err.toString())
        .startsWith("kiln: --priority: \"asap\" is not one of low, normal, high, urgent")
        .doesNotContain("cannot reach");
  }

  @Test
  void aRunIsNamedByItsNumber() {
    int code = kiln(Map.of(), "show", "latest");

    assertThat(code).isEqualTo(ExitCodes.USAGE_OR_CONNECTION);
    assertThat(err.toString()).contains("RUN: expected a run number such as 42, got \"latest\"");
  }

  @Test
  void helpNeedsNoConfigurationAndExitsZero() {
    int code = kiln(Map.of("KILN_URL", "not a url"), "--help");

    assertThat(code).isZero();
    assertThat(out.toString()).contains("rebuild", "logs", "runs", "show", "cancel", "Exit codes");
  }

  @Test
  void homeIsTheShellsHomeWhenSet() {
    assertThat(Kiln.home(Map.of("HOME", "/home/someone"))).isEqualTo(Path.of("/home/someone"));
    assertThat(Kiln.home(Map.of())).isEqualTo(Path.of(System.getProperty("user.home")));
  }
}
