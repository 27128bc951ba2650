package dev.kiln.worker;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The toolchains a worker looks for at start, the command that prints each one's version, and the
 * label its output gives: {@code jdk21}, {@code go1.26}, {@code cargo}, {@code node20}, {@code
 * cmake}, {@code python3.11}. Plain parsing, no processes: {@link ToolchainDetector} runs them.
 */
enum ToolchainLabels {
  JDK(List.of("java", "-version"), Pattern.compile("version \"(\\d+)(?:\\.(\\d+))?")) {
    @Override
    String label(Matcher m) {
      // Java 8 and older call themselves 1.8, 1.7 …
      String major = "1".equals(m.group(1)) && m.group(2) != null ? m.group(2) : m.group(1);
      return "jdk" + major;
    }
  },
  GO(List.of("go", "version"), Pattern.compile("\\bgo(\\d+)\\.(\\d+)")) {
    @Override
    String label(Matcher m) {
      return "go" + m.group(1) + "." + m.group(2);
    }
  },
  CARGO(List.of("cargo", "--version"), Pattern.compile("^cargo \\d+\\.", Pattern.MULTILINE)) {
    @Override
    String label(Matcher m) {
      return "cargo";
    }
  },
  NODE(List.of("node", "--version"), Pattern.compile("^v(\\d+)\\.", Pattern.MULTILINE)) {
    @Override
    String label(Matcher m) {
      return "node" + m.group(1);
    }
  },
  CMAKE(List.of("cmake", "--version"), Pattern.compile("^cmake version \\d", Pattern.MULTILINE)) {
    @Override
    String label(Matcher m) {
      return "cmake";
    }
  },
  PYTHON(
      List.of("python3", "--version"),
      Pattern.compile("^Python (\\d+)\\.(\\d+)", Pattern.MULTILINE)) {
    @Override
    String label(Matcher m) {
      return "python" + m.group(1) + "." + m.group(2);
    }
  };

  private final List<String> command;
  private final Pattern version;

  ToolchainLabels(List<String> command, Pattern version) {
    this.command = command;
    this.version = version;
  }

  /** The command that prints the version (on stdout or stderr). */
  List<String> command() {
    return command;
  }

  /** The label of a toolchain whose version command printed {@code output}, if it says one. */
  Optional<String> labelOf(String output) {
    Matcher m = version.matcher(output == null ? "" : output);
    return m.find() ? Optional.of(label(m)) : Optional.empty();
  }

  abstract String label(Matcher m);
}
