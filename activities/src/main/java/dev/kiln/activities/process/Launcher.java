package dev.kiln.activities.process;

import java.util.List;
import java.util.Objects;

/**
 * How a command is started: the programs its {@code bash -eo pipefail -c <command>} runs under.
 *
 * @param prefix the command line before {@code bash}; its first program must exec the rest in place
 *     after {@code setsid(2)}, so that the started process leads its own group (pid == pgid)
 * @param pidNamespace whether the prefix puts the command into a pid namespace of its own, which is
 *     then what the runner kills ({@link SandboxTree}) rather than the process group alone
 */
public record Launcher(List<String> prefix, boolean pidNamespace) {

  /** {@code setsid bash …}: its own process group, nothing else. */
  public static final Launcher PLAIN = new Launcher(List.of("setsid"), false);

  public Launcher {
    prefix = List.copyOf(Objects.requireNonNull(prefix, "prefix"));
    if (prefix.isEmpty() || !prefix.get(0).endsWith("setsid")) {
      throw new IllegalArgumentException("a launcher starts with setsid: " + prefix);
    }
  }
}
